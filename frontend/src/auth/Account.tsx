// The signed-in user's own account: replace the recovery codes (needs a
// current code of the authenticator app). The new codes are shown once and
// only kept in this screen's state; the old ones stop working.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAction } from '../api/useAction';
import { REGENERATE_RECOVERY_CODES } from '../api/queries';
import { ErrorSummary, Field, PageHeading } from '../components';
import { useViewer } from '../viewer';
import { CodeList } from './TotpEnrollment';

export function Account() {
  const { t } = useTranslation();
  const viewer = useViewer();
  const [code, setCode] = useState('');
  const a = useAction();
  const [codes, setCodes] = useState<string[] | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = code.replace(/\s+/g, '');
    const wellFormed = /^\d{6}$/.test(c);
    const data = await a.run(REGENERATE_RECOVERY_CODES, { code: c }, wellFormed ? {} : { code: 'account.codeFormat' });
    if (wellFormed) setCode(''); // a code sent is spent, whatever the answer
    if (!data) return;
    setCodes(data.regenerateRecoveryCodes.codes);
  };

  return (
    <section>
      <PageHeading title={t('titles.account')}>{t('account.heading')}</PageHeading>
      {viewer && (
        <dl className="details">
          <dt>{t('account.name')}</dt><dd>{viewer.displayName}</dd>
          {viewer.organisation && <><dt>{t('account.organisation')}</dt><dd>{viewer.organisation.name}</dd></>}
          <dt>{t('account.roles')}</dt><dd>{viewer.roles.map((r) => t(`enums.Role.${r}`)).join(', ')}</dd>
        </dl>
      )}
      <h2>{t('account.recoveryHeading')}</h2>
      {codes ? (
        <div className="card narrow">
          <p role="status">{t('account.newCodes')}</p>
          <p>{t('recovery.intro')}</p>
          <CodeList codes={codes} />
          <p className="warning">{t('account.oldCodes')}</p>
          <button type="button" onClick={() => setCodes(null)}>{t('recovery.done')}</button>
        </div>
      ) : (
        <>
          <p>{t('account.recoveryIntro')}</p>
          <form className="form" aria-label={t('account.recoveryHeading')} noValidate onSubmit={(e) => void submit(e)}>
            <ErrorSummary error={a.error} />
            <Field label={t('account.code')} hint={t('account.codeHint')} name="code" inputMode="numeric" autoComplete="one-time-code" required
              value={code} onChange={(e) => setCode(e.target.value)} error={a.error} />
            <div className="actions"><button type="submit" disabled={a.busy}>{t('account.regenerate')}</button></div>
          </form>
        </>
      )}
    </section>
  );
}
