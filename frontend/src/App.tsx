import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Provider } from 'urql';
import { createClient } from './api/client';
import { describeError, type DescribedError } from './api/errors';
import { onSessionLost, sessionLost } from './api/session';
import { LOGOUT, ME, type LoginData, type MeData, type Viewer } from './api/queries';
import { PasswordChange } from './auth/PasswordChange';
import { SignIn } from './auth/SignIn';
import { RecoveryCodes, TotpEnrollment } from './auth/TotpEnrollment';
import { ErrorSummary, Loading, PageHeading } from './components';
import { LANGS } from './i18n';
import type { Lang } from './lib/datetime';
import { Link, NavLink, useRoute } from './lib/router';
import { DossierList, forgetDossierList } from './screens/DossierList';
import { DossierPage } from './screens/DossierPage';
import { Home } from './screens/Home';
import { AdminUser, AdminUsers } from './screens/admin/Admin';
import { AdminDossier } from './screens/admin/AdminDossier';
import { Calendar } from './screens/Calendar';
import { DossierForm } from './screens/DossierForm';
import { AccessReport, AuditLog, forgetAudit } from './screens/dpo/Audit';
import { EraseDossier } from './screens/dpo/Erase';
import { takeErasePrefill } from './screens/dpo/erase';
import { Account } from './auth/Account';
import { can } from './lib/roles';
import { ViewerContext } from './viewer';

/** Where the session stands. Kept in memory only. */
export type Session =
  | { kind: 'checking' }
  | { kind: 'signedOut'; notice?: 'expired' | 'signedOut' | 'enrolMissing' }
  | { kind: 'enrol'; enrollment: { secret: string; qrCodePng: string } }
  | { kind: 'recovery'; codes: string[]; viewer: Viewer }
  | { kind: 'password' }
  | { kind: 'signedIn'; viewer: Viewer }
  | { kind: 'error'; error: DescribedError };

/** The session after a successful login mutation. */
export function afterLogin(r: LoginData['login']): Session {
  switch (r.status) {
    case 'TOTP_ENROLLMENT_REQUIRED':
      return r.totpEnrollment ? { kind: 'enrol', enrollment: r.totpEnrollment } : { kind: 'signedOut', notice: 'enrolMissing' };
    case 'PASSWORD_CHANGE_REQUIRED':
      return { kind: 'password' };
    default:
      return { kind: 'signedIn', viewer: r.viewer };
  }
}

/** Whether an UNAUTHENTICATED answer means a session we had has expired. */
export function expires(s: Session): boolean {
  return s.kind === 'signedIn' || s.kind === 'password' || s.kind === 'enrol' || s.kind === 'recovery';
}

export function App() {
  const route = useRoute();
  const { t, i18n } = useTranslation();
  const [session, setSession] = useState<Session>({ kind: 'checking' });
  // A new GraphQL client (and so an empty cache) for every session.
  const [epoch, setEpoch] = useState(0);
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const endSession = useCallback((notice: 'expired' | 'signedOut' | 'enrolMissing') => {
    forgetDossierList();
    forgetAudit();
    takeErasePrefill();
    setSession({ kind: 'signedOut', notice });
    setEpoch((e) => e + 1);
  }, []);

  // The server says the session is gone (idle timeout, ended by an
  // administrator, or from another tab): back to the sign-in screen with
  // "Votre session a expiré…". Nothing of the case stays on screen (the
  // signed-in screens unmount, the cache goes with the client), and the
  // URL is left as it was, so signing in again comes back to the same
  // page (paths carry ids only).
  const expired = useCallback(() => {
    if (expires(sessionRef.current)) endSession('expired');
  }, [endSession]);
  useEffect(() => onSessionLost(expired), [expired]);

  const client = useMemo(
    () => createClient(sessionLost),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [epoch],
  );

  // At start: is there a session already (the cookie is HttpOnly)?
  useEffect(() => {
    let live = true;
    client
      .query<MeData>(ME, {}, { requestPolicy: 'network-only' })
      .toPromise()
      .then((r) => {
        if (!live || sessionRef.current.kind !== 'checking') return;
        if (r.error) {
          setSession({ kind: 'error', error: describeError(r.error, t) });
          return;
        }
        const me = r.data?.me;
        if (!me) setSession({ kind: 'signedOut' });
        else if (me.status === 'PASSWORD_CHANGE_REQUIRED') setSession({ kind: 'password' });
        else if (me.status === 'TOTP_ENROLLMENT_REQUIRED') {
          // The secret is only given at sign-in: start again.
          void client.mutation(LOGOUT, {}).toPromise().then(() => live && endSession('enrolMissing'));
        } else setSession({ kind: 'signedIn', viewer: me });
      });
    return () => {
      live = false;
    };
    // Only once, with the first client.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);

  const signOut = async () => {
    await client.mutation(LOGOUT, {}).toPromise();
    endSession('signedOut');
    // Signing out on purpose starts the next session at home.
    window.history.replaceState(null, '', '/' + window.location.search);
  };

  const signedIn = session.kind === 'signedIn' ? session.viewer : null;
  return (
    <Provider value={client}>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="site-header">
        <p className="brand">{t('app.name')}</p>
        {signedIn && (
          <nav aria-label={t('app.mainNav')}>
            <ul>
              <li>
                <NavLink current={route} to={{ name: 'home' }}>{t('nav.home')}</NavLink>
              </li>
              {can(signedIn.roles, 'dossier:read') && (
                <li>
                  <NavLink current={route} to={{ name: 'dossiers' }}>{t('nav.dossiers')}</NavLink>
                </li>
              )}
              {can(signedIn.roles, 'case:read') && (
                <li>
                  <NavLink current={route} to={{ name: 'calendar' }}>{t('nav.calendar')}</NavLink>
                </li>
              )}
              {can(signedIn.roles, 'user:write') && (
                <li>
                  <NavLink current={route} to={{ name: 'admin' }}>{t('nav.admin')}</NavLink>
                </li>
              )}
              {can(signedIn.roles, 'audit:read') && (
                <>
                  <li>
                    <NavLink current={route} to={{ name: 'audit' }}>{t('nav.audit')}</NavLink>
                  </li>
                  <li>
                    <NavLink current={route} to={{ name: 'accessReport' }}>{t('nav.accessReport')}</NavLink>
                  </li>
                </>
              )}
              {can(signedIn.roles, 'dossier:erase') && (
                <li>
                  <NavLink current={route} to={{ name: 'erase' }}>{t('nav.erase')}</NavLink>
                </li>
              )}
              <li>
                <NavLink current={route} to={{ name: 'account' }}>{t('nav.account')}</NavLink>
              </li>
            </ul>
          </nav>
        )}
        <div className="header-tools">
          <div role="group" aria-label={t('app.language')} className="lang-switch">
            {LANGS.map((l: Lang) => (
              <button
                key={l}
                type="button"
                className="secondary"
                lang={l}
                aria-pressed={i18n.language === l}
                onClick={() => void i18n.changeLanguage(l)}
              >
                {l === 'fr' ? 'Français' : 'English'}
              </button>
            ))}
          </div>
          {signedIn && (
            <>
              <span className="whoami">{t('app.signedInAs', { name: signedIn.displayName })}</span>
              <button type="button" onClick={() => void signOut()}>
                {t('app.signOut')}
              </button>
            </>
          )}
          {(session.kind === 'password' || session.kind === 'enrol') && (
            <button type="button" className="secondary" onClick={() => void signOut()}>
              {t('app.signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main">
        <ViewerContext.Provider value={signedIn}>
          <Screen session={session} setSession={setSession} onNewSession={() => setEpoch((e) => e + 1)} />
        </ViewerContext.Provider>
      </main>
    </Provider>
  );
}

function Screen({ session, setSession, onNewSession }: { session: Session; setSession: (s: Session) => void; onNewSession: () => void }) {
  const { t } = useTranslation();
  switch (session.kind) {
    case 'checking':
      return <Loading />;
    case 'error':
      return (
        <section>
          <PageHeading title={t('errors.heading')} />
          <ErrorSummary error={session.error} />
        </section>
      );
    case 'signedOut':
      return (
        <SignIn
          notice={session.notice ? t(`signIn.${session.notice}`) : undefined}
          onResult={(r) => {
            setSession(afterLogin(r));
            // A fresh cache for the new session; the login mutation's own
            // client is dropped with whatever it held.
            onNewSession();
          }}
        />
      );
    case 'enrol':
      return <TotpEnrollment enrollment={session.enrollment} onConfirmed={(r) => setSession({ kind: 'recovery', codes: r.codes, viewer: r.viewer })} />;
    case 'recovery':
      return (
        <RecoveryCodes
          codes={session.codes}
          onDone={() => setSession(session.viewer.status === 'PASSWORD_CHANGE_REQUIRED' ? { kind: 'password' } : { kind: 'signedIn', viewer: session.viewer })}
        />
      );
    case 'password':
      return <PasswordChange onChanged={(v) => setSession({ kind: 'signedIn', viewer: v })} />;
    case 'signedIn':
      return <SignedIn />;
  }
}

function SignedIn() {
  const route = useRoute();
  const { t } = useTranslation();
  switch (route.name) {
    case 'home':
      return <Home />;
    case 'dossiers':
      return <DossierList />;
    case 'dossier':
      return <DossierPage key={route.id} id={route.id} />;
    case 'newDossier':
      return <DossierForm key="new" />;
    case 'editDossier':
      return <DossierForm key={route.id} id={route.id} />;
    case 'calendar':
      return <Calendar />;
    case 'admin':
      return <AdminUsers />;
    case 'adminUser':
      return <AdminUser key={route.id} id={route.id} />;
    case 'adminDossier':
      return <AdminDossier key={route.id} id={route.id} />;
    case 'audit':
      return <AuditLog />;
    case 'accessReport':
      return <AccessReport />;
    case 'erase':
      return <EraseDossier />;
    case 'account':
      return <Account />;
    case 'notFound':
      return (
        <section>
          <PageHeading title={t('titles.notFound')}>{t('notFound.heading')}</PageHeading>
          <p>
            <Link to={{ name: 'home' }}>{t('notFound.back')}</Link>
          </p>
        </section>
      );
  }
}
