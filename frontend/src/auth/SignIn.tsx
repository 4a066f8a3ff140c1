import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { describeError, type DescribedError } from '../api/errors';
import { LOGIN, SIGN_IN_OPTIONS, type LoginData } from '../api/queries';
import { ErrorSummary, Field, PageHeading } from '../components';
import { localError, type Problems } from '../lib/forms';
import { ssoNotice, withoutSso } from './sso';

/** Where the browser starts a single sign-on (internal/httpserver/oidc.go). */
const SSO_LOGIN = '/auth/oidc/login';

/** What is missing before a sign-in is worth sending (the code may be empty: first sign-in). */
export function signInProblems(email: string, password: string): Problems {
  const p: Problems = {};
  if (!email.trim()) p.email = 'forms.required';
  if (!password) p.password = 'forms.required';
  return p;
}

export function SignIn({ notice, onResult }: { notice?: string; onResult: (r: LoginData['login']) => void }) {
  const { t } = useTranslation();
  const [, login] = useMutation(LOGIN);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DescribedError | null>(null);
  const [{ data: options }] = useQuery({ query: SIGN_IN_OPTIONS });
  // A single sign-on that opened no session comes back with ?sso=…: said
  // once, then dropped from the address.
  const [sso] = useState(() => ssoNotice(window.location.search));
  useEffect(() => {
    if (sso) {
      const { pathname, search, hash } = window.location;
      window.history.replaceState(window.history.state, '', withoutSso(pathname, search, hash));
    }
  }, [sso]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Empty fields are said beside each field, before anything is sent.
    const local = localError(signInProblems(email, password), t);
    if (local) {
      setError(local);
      return;
    }
    setBusy(true);
    setError(null);
    const totp = code.replace(/\s+/g, '');
    const r = await login({ input: { email: email.trim(), password, totp: totp || null } });
    setBusy(false);
    if (r.error || !r.data) {
      setError(describeError(r.error ?? {}, t));
      return;
    }
    setPassword('');
    setCode('');
    onResult(r.data.login);
  };

  return (
    <section className="card narrow">
      <PageHeading title={t('titles.signIn')}>{t('signIn.heading')}</PageHeading>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {sso && (
        <p className="notice" role="status">
          {t(`signIn.${sso}`)}
        </p>
      )}
      <ErrorSummary error={error} />
      <form onSubmit={submit} noValidate>
        <Field label={t('signIn.email')} name="email" type="email" autoComplete="username" required
          value={email} onChange={(e) => setEmail(e.target.value)} error={error} />
        <Field label={t('signIn.password')} name="password" type="password" autoComplete="current-password" required
          value={password} onChange={(e) => setPassword(e.target.value)} error={error} />
        <Field label={t('signIn.code')} name="totp" hint={t('signIn.codeHint')} inputMode="numeric" autoComplete="one-time-code"
          value={code} onChange={(e) => setCode(e.target.value)} error={error} />
        <button type="submit" disabled={busy}>
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
      {options?.signInOptions.singleSignOn && (
        <p className="sso">
          <span>{t('signIn.or')}</span>{' '}
          <a className="button secondary" href={SSO_LOGIN}>
            {t('signIn.sso')}
          </a>
        </p>
      )}
    </section>
  );
}
