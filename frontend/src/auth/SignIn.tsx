import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { describeError, type DescribedError } from '../api/errors';
import { LOGIN, type LoginData } from '../api/queries';
import { ErrorSummary, Field, PageHeading } from '../components';

export function SignIn({ notice, onResult }: { notice?: string; onResult: (r: LoginData['login']) => void }) {
  const { t } = useTranslation();
  const [, login] = useMutation(LOGIN);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DescribedError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
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
    </section>
  );
}
