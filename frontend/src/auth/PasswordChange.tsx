import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { describeError, type DescribedError } from '../api/errors';
import { CHANGE_PASSWORD, type Viewer } from '../api/queries';
import { ErrorSummary, Field, PageHeading } from '../components';

export function PasswordChange({ onChanged }: { onChanged: (v: Viewer) => void }) {
  const { t } = useTranslation();
  const [, change] = useMutation(CHANGE_PASSWORD);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DescribedError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (next !== confirm) {
      setError({ code: 'INVALID', message: t('errors.INVALID'), fields: [{ field: 'confirm', label: t('password.confirm'), message: t('password.mismatch') }] });
      return;
    }
    setBusy(true);
    const r = await change({ input: { currentPassword: current, newPassword: next } });
    setBusy(false);
    if (r.error || !r.data) {
      setError(describeError(r.error ?? {}, t));
      return;
    }
    onChanged(r.data.changePassword);
  };

  return (
    <section className="card narrow">
      <PageHeading title={t('titles.passwordChange')}>{t('password.heading')}</PageHeading>
      <p>{t('password.intro')}</p>
      <ErrorSummary error={error} />
      <form onSubmit={submit} noValidate>
        <Field label={t('password.current')} name="currentPassword" type="password" autoComplete="current-password" required
          value={current} onChange={(e) => setCurrent(e.target.value)} error={error} />
        <Field label={t('password.next')} name="newPassword" type="password" autoComplete="new-password" required
          hint={t('password.nextHint')} value={next} onChange={(e) => setNext(e.target.value)} error={error} />
        <Field label={t('password.confirm')} name="confirm" type="password" autoComplete="new-password" required
          value={confirm} onChange={(e) => setConfirm(e.target.value)} error={error} />
        <button type="submit" disabled={busy}>
          {t('password.submit')}
        </button>
      </form>
    </section>
  );
}
