// The signed-in user's own account: change the password, see the open
// sessions and sign out of the others, replace the recovery codes (needs a
// current code of the authenticator app). The new codes are shown once and
// only kept in this screen's state; the old ones stop working. Users who
// read hearings also manage their calendar subscription links here.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError } from '../api/errors';
import { useAction } from '../api/useAction';
import { CHANGE_PASSWORD, END_MY_SESSION, MY_SESSIONS, REGENERATE_RECOVERY_CODES } from '../api/queries';
import { Done, ErrorSummary, Field, Loading, PageHeading } from '../components';
import { formatDateTime, type Lang } from '../lib/datetime';
import { can } from '../lib/roles';
import { useViewer } from '../viewer';
import { CalendarFeeds } from './CalendarFeeds';
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
      <ChangePasswordForm />
      <MySessions />
      {can(viewer?.roles, 'case:read') && <CalendarFeeds />}
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

/** Replaces the password; the other sessions end (the server does it), this one stays. */
function ChangePasswordForm() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const a = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const p: Record<string, string> = {};
    if (!current) p.currentPassword = 'forms.required';
    if (!next) p.newPassword = 'forms.required';
    else if (next !== confirm) p.confirm = 'password.mismatch';
    const r = await a.run(CHANGE_PASSWORD, { input: { currentPassword: current, newPassword: next } }, p);
    if (!r) return;
    setCurrent('');
    setNext('');
    setConfirm('');
    setDone(t('account.passwordChanged'));
  };
  return (
    <>
      <h2>{t('account.passwordHeading')}</h2>
      <Done message={done} />
      <form className="form" aria-label={t('account.passwordHeading')} noValidate onSubmit={(e) => void submit(e)}>
        <ErrorSummary error={a.error} />
        <Field label={t('account.currentPassword')} name="currentPassword" type="password" autoComplete="current-password" required
          value={current} onChange={(e) => setCurrent(e.target.value)} error={a.error} />
        <Field label={t('password.next')} name="newPassword" type="password" autoComplete="new-password" required
          hint={t('password.nextHint')} value={next} onChange={(e) => setNext(e.target.value)} error={a.error} />
        <Field label={t('password.confirm')} name="confirm" type="password" autoComplete="new-password" required
          value={confirm} onChange={(e) => setConfirm(e.target.value)} error={a.error} />
        <p className="hint">{t('account.passwordOthers')}</p>
        <div className="actions"><button type="submit" disabled={a.busy}>{t('account.changePassword')}</button></div>
      </form>
    </>
  );
}

/** The browsers where one is signed in; any but this one can be signed out from here. */
function MySessions() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: MY_SESSIONS, requestPolicy: 'network-only' });
  const [done, setDone] = useState<string | null>(null);
  const a = useAction();
  const end = async (id: string) => {
    setDone(null);
    const r = await a.run(END_MY_SESSION, { id });
    if (!r) return;
    setDone(t('account.sessionEnded'));
    reexecute({ requestPolicy: 'network-only' });
  };
  const rows = data?.mySessions ?? [];
  return (
    <>
      <h2>{t('account.sessionsHeading')}</h2>
      <p>{t('account.sessionsIntro')}</p>
      {error && <ErrorSummary error={describeError(error, t)} />}
      <ErrorSummary error={a.error} />
      <Done message={done} />
      {fetching && !data && <Loading />}
      {rows.length > 0 && (
        <table>
          <caption className="visually-hidden">{t('account.sessionsHeading')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('account.sessionOpened')}</th>
              <th scope="col">{t('account.sessionLastSeen')}</th>
              <th scope="col">{t('account.sessionExpires')}</th>
              <th scope="col">{t('account.sessionAction')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.id}>
                <td><time dateTime={s.createdAt}>{formatDateTime(s.createdAt, lang)}</time></td>
                <td><time dateTime={s.lastSeenAt}>{formatDateTime(s.lastSeenAt, lang)}</time></td>
                <td><time dateTime={s.expiresAt}>{formatDateTime(s.expiresAt, lang)}</time></td>
                <td>
                  {s.current ? (
                    <span className="badge">{t('account.thisSession')}</span>
                  ) : (
                    <button type="button" className="secondary small" disabled={a.busy} onClick={() => void end(s.id)}>
                      {t('account.endSession')}
                      <span className="visually-hidden"> — {formatDateTime(s.createdAt, lang)}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

