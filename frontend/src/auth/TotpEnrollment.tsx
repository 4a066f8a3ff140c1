import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { describeError, type DescribedError } from '../api/errors';
import { CONFIRM_TOTP, type ConfirmTotpData } from '../api/queries';
import { ErrorSummary, Field, PageHeading } from '../components';

export function TotpEnrollment({
  enrollment,
  onConfirmed,
}: {
  enrollment: { secret: string; qrCodePng: string };
  onConfirmed: (r: ConfirmTotpData['confirmTotpEnrollment']) => void;
}) {
  const { t } = useTranslation();
  const [, confirm] = useMutation(CONFIRM_TOTP);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DescribedError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await confirm({ code: code.replace(/\s+/g, '') });
    setBusy(false);
    if (r.error || !r.data) {
      setError(describeError(r.error ?? {}, t));
      return;
    }
    onConfirmed(r.data.confirmTotpEnrollment);
  };

  // The QR code is a data: URI (img-src allows data:); it only exists in memory.
  const qr = enrollment.qrCodePng.startsWith('data:image/png;base64,') ? enrollment.qrCodePng : '';
  return (
    <section className="card narrow">
      <PageHeading title={t('titles.enrol')}>{t('enrol.heading')}</PageHeading>
      <p>{t('enrol.intro')}</p>
      {qr && <img className="qr" src={qr} alt={t('enrol.qrAlt')} width={200} height={200} />}
      <dl>
        <dt>{t('enrol.secret')}</dt>
        <dd>
          <code className="secret">{enrollment.secret}</code>
        </dd>
      </dl>
      <ErrorSummary error={error} />
      <form onSubmit={submit} noValidate>
        <Field label={t('enrol.code')} name="code" inputMode="numeric" autoComplete="one-time-code" required
          value={code} onChange={(e) => setCode(e.target.value)} error={error} />
        <button type="submit" disabled={busy}>
          {t('enrol.submit')}
        </button>
      </form>
    </section>
  );
}

export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="card narrow">
      <PageHeading title={t('titles.recoveryCodes')}>{t('recovery.heading')}</PageHeading>
      <p>{t('recovery.intro')}</p>
      <CodeList codes={codes} />
      <button type="button" onClick={onDone}>
        {t('recovery.done')}
      </button>
    </section>
  );
}

/** Recovery codes as shown once (at enrolment and when they are replaced). */
export function CodeList({ codes }: { codes: string[] }) {
  const { t } = useTranslation();
  return (
    <ul className="codes" aria-label={t('recovery.listLabel')}>
      {codes.map((c) => (
        <li key={c}>
          <code>{c}</code>
        </li>
      ))}
    </ul>
  );
}
