// Administration (role admin): the organisation's users, their roles,
// account status and second factor, and their dossier assignments.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError, errorCode, type DescribedError } from '../../api/errors';
import { useAction } from '../../api/useAction';
import {
  ASSIGN_DOSSIER,
  CREATE_USER,
  DISABLE_USER,
  DOSSIERS,
  ENABLE_USER,
  END_USER_SESSIONS,
  RESET_PASSWORD,
  RESET_SECOND_FACTOR,
  ROLES,
  SET_USER_ROLES,
  UNASSIGN_DOSSIER,
  USERS,
  USER_QUERY,
  type Role,
  } from '../../api/queries';
import { CheckboxGroup, Disclosure, Done, ErrorSummary, Field, Loading, PageHeading, SelectField } from '../../components';
import { formatDateTime, type Lang } from '../../lib/datetime';
import { type Problems } from '../../lib/forms';
import { can } from '../../lib/roles';
import { Link } from '../../lib/router';
import { useViewer } from '../../viewer';


export function Forbidden({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <section>
      <PageHeading title={title} />
      <p role="alert">{t('errors.FORBIDDEN')}</p>
    </section>
  );
}

/**
 * A role set's checks, as the server makes them (docs/security.md,
 * "Separation of duties"): at least one role, and administrator never with
 * legal staff or partner lawyer.
 */
export function checkRoles(roles: Role[]): string | undefined {
  if (roles.length === 0) return 'admin.oneRole';
  if (roles.includes('ADMIN') && (roles.includes('LEGAL_STAFF') || roles.includes('PARTNER_LAWYER'))) return 'admin.adminAndStaff';
  return undefined;
}

/** A new account's checks (the server checks the password again). */
export function checkNewUser(v: { email: string; displayName: string; roles: Role[]; temporaryPassword: string }): Problems {
  const p: Problems = {};
  if (!/^[^\s@]+@[^\s@]+$/.test(v.email.trim())) p.email = 'admin.badEmail';
  if (!v.displayName.trim()) p.displayName = 'forms.required';
  const roles = checkRoles(v.roles);
  if (roles) p.roles = roles;
  if (v.temporaryPassword.length < 12) p.temporaryPassword = 'admin.passwordLength';
  return p;
}

export function AdminUsers() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const viewer = useViewer();
  const [text, setText] = useState('');
  const [applied, setApplied] = useState<string>('');
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: USERS,
    variables: { first: 100, filter: applied ? { text: applied } : undefined },
    pause: !can(viewer?.roles, 'user:write'),
    requestPolicy: 'cache-and-network',
  });
  if (!can(viewer?.roles, 'user:write')) return <Forbidden title={t('titles.admin')} />;
  return (
    <section>
      <PageHeading title={t('titles.admin')}>{t('admin.heading')}</PageHeading>
      <form className="filters" role="search" onSubmit={(e: FormEvent) => { e.preventDefault(); setApplied(text.trim()); }}>
        <Field label={t('admin.search')} name="text" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        <div className="actions"><button type="submit">{t('dossiers.apply')}</button></div>
      </form>
      {error && <ErrorSummary error={describeError(error, t)} />}
      {fetching && !data && <Loading />}
      {data && (
        <table>
          <caption className="visually-hidden">{t('admin.users')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.name')}</th>
              <th scope="col">{t('admin.email')}</th>
              <th scope="col">{t('admin.roles')}</th>
              <th scope="col">{t('admin.status')}</th>
              <th scope="col">{t('admin.lastSignIn')}</th>
            </tr>
          </thead>
          <tbody>
            {data.users.nodes.map((u) => (
              <tr key={u.id}>
                <td><Link to={{ name: 'adminUser', id: u.id }}>{u.displayName}</Link></td>
                <td>{u.email}</td>
                <td>{u.roles.map((r) => t(`enums.Role.${r}`)).join(', ')}</td>
                <td>{u.disabled ? t('admin.disabled') : t('admin.enabled')}{!u.totpEnrolled && ` · ${t('admin.noTotp')}`}</td>
                <td>{u.lastSignInAt ? formatDateTime(u.lastSignInAt, lang) : t('dossier.empty')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CreateUserForm onDone={() => reexecute({ requestPolicy: 'network-only' })} />
    </section>
  );
}

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const empty = { email: '', displayName: '', roles: [] as Role[], temporaryPassword: '' };
  const [v, setV] = useState(empty);
  const m = useAction();
  const submit = async () => {
    const input = { email: v.email.trim(), displayName: v.displayName.trim(), roles: v.roles, temporaryPassword: v.temporaryPassword };
    if ((await m.run(CREATE_USER, { input }, checkNewUser(v))) !== null) {
      setDone(t('admin.created', { name: input.displayName }));
      setV(empty);
      setOpen(false);
      onDone();
    }
  };
  return (
    <>
      <h2>{t('admin.newUser')}</h2>
      <Done message={done} />
      <Disclosure label={t('admin.newUser')} open={open} onToggle={(o) => { setOpen(o); setDone(null); }}>
        <form className="form action-form" aria-label={t('admin.newUser')} noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <ErrorSummary error={m.error} />
          <Field label={t('admin.email')} name="email" type="email" autoComplete="off" required value={v.email} onChange={(e) => setV({ ...v, email: e.target.value })} error={m.error} />
          <Field label={t('admin.name')} name="displayName" required value={v.displayName} onChange={(e) => setV({ ...v, displayName: e.target.value })} error={m.error} />
          <CheckboxGroup legend={t('admin.roles')} name="roles" options={ROLES.map((r) => ({ value: r, label: t(`enums.Role.${r}`) }))} value={v.roles} onChange={(roles) => setV({ ...v, roles })} error={m.error} />
          <Field label={t('admin.temporaryPassword')} hint={t('admin.temporaryPasswordHint')} name="temporaryPassword" type="password" autoComplete="new-password" required
            value={v.temporaryPassword} onChange={(e) => setV({ ...v, temporaryPassword: e.target.value })} error={m.error} />
          <div className="actions"><button type="submit" disabled={m.busy}>{t('admin.create')}</button></div>
        </form>
      </Disclosure>
    </>
  );
}

export function AdminUser({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const viewer = useViewer();
  const allowed = can(viewer?.roles, 'user:write');
  const [{ data, fetching, error }, reexecute] = useQuery({ query: USER_QUERY, variables: { id }, pause: !allowed, requestPolicy: 'network-only' });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [tempPassword, setTempPassword] = useState('');
  const m = useAction();
  if (!allowed) return <Forbidden title={t('titles.admin')} />;
  if (fetching && !data) return <Loading />;
  const u = data?.user;
  const back = <p><Link to={{ name: 'admin' }}>{t('admin.back')}</Link></p>;
  if (!u) {
    return (
      <section>
        {back}
        <PageHeading title={t('titles.admin')} />
        {!error || errorCode(error) === 'NOT_FOUND' ? <p role="alert">{t('errors.NOT_FOUND')}</p> : <ErrorSummary error={describeError(error, t)} />}
      </section>
    );
  }
  const act = async (doc: Parameters<typeof m.run>[0], vars: Record<string, unknown>, message: string, problems: Problems = {}) => {
    setDone(null);
    if ((await m.run(doc, vars, problems)) !== null) {
      setDone(message);
      refresh();
      return true;
    }
    return false;
  };
  const current = roles ?? u.roles;
  // Nobody changes their own roles or assigns themselves: another administrator does.
  const self = u.id === viewer?.id;
  const rolesProblem = checkRoles(current);
  // Ends every session of the user (after a lost device, a departure…): they sign in again.
  const endSessions = async () => {
    if (!window.confirm(t('admin.confirmEndSessions'))) return;
    setDone(null);
    const data = await m.run(END_USER_SESSIONS, { id: u.id });
    if (data) setDone(t('admin.sessionsEnded', { count: data.endUserSessions }));
  };

  return (
    <section>
      {back}
      {/* The page title stays generic: no names in titles or history. */}
      <PageHeading title={t('titles.admin')}>{u.displayName}</PageHeading>
      <Done message={done} />
      <ErrorSummary error={m.error} />
      <dl className="details">
        <dt>{t('admin.email')}</dt><dd>{u.email}</dd>
        <dt>{t('admin.status')}</dt><dd>{u.disabled ? t('admin.disabled') : t('admin.enabled')}</dd>
        <dt>{t('admin.totp')}</dt><dd>{u.totpEnrolled ? t('admin.totpYes') : t('admin.noTotp')}</dd>
        <dt>{t('admin.lastSignIn')}</dt><dd>{u.lastSignInAt ? formatDateTime(u.lastSignInAt, lang) : t('dossier.empty')}</dd>
      </dl>

      <h2>{t('admin.roles')}</h2>
      <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); void act(SET_USER_ROLES, { id: u.id, roles: current }, t('admin.rolesSaved'), rolesProblem ? { roles: rolesProblem } : {}).then((ok) => ok && setRoles(null)); }}>
        {self && <p className="hint">{t('admin.ownRoles')}</p>}
        <CheckboxGroup legend={t('admin.roles')} name="roles" options={ROLES.map((r) => ({ value: r, label: t(`enums.Role.${r}`) }))} value={current} onChange={setRoles} error={m.error} />
        <div className="actions"><button type="submit" disabled={m.busy || self}>{t('admin.saveRoles')}</button></div>
      </form>

      <h2>{t('admin.account')}</h2>
      <div className="actions">
        {u.disabled ? (
          <button type="button" disabled={m.busy} onClick={() => void act(ENABLE_USER, { id: u.id }, t('admin.enabledDone'))}>{t('admin.enable')}</button>
        ) : (
          <button type="button" className="danger" disabled={m.busy || u.id === viewer?.id} onClick={() => window.confirm(t('admin.confirmDisable')) && void act(DISABLE_USER, { id: u.id }, t('admin.disabledDone'))}>{t('admin.disable')}</button>
        )}
        <button type="button" className="secondary" disabled={m.busy} onClick={() => window.confirm(t('admin.confirmResetTotp')) && void act(RESET_SECOND_FACTOR, { id: u.id }, t('admin.totpReset'))}>
          {t('admin.resetTotp')}
        </button>
        <button type="button" className="secondary" disabled={m.busy || u.id === viewer?.id} onClick={() => void endSessions()}>
          {t('admin.endSessions')}
        </button>
      </div>
      <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); void act(RESET_PASSWORD, { id: u.id, temporaryPassword: tempPassword }, t('admin.passwordReset'), tempPassword.length < 12 ? { temporaryPassword: 'admin.passwordLength' } : {}).then((ok) => ok && setTempPassword('')); }}>
        <Field label={t('admin.temporaryPassword')} hint={t('admin.temporaryPasswordHint')} name="temporaryPassword" type="password" autoComplete="new-password" value={tempPassword} onChange={(e) => setTempPassword(e.target.value)} error={m.error} />
        <div className="actions"><button type="submit" className="secondary" disabled={m.busy}>{t('admin.resetPassword')}</button></div>
      </form>

      <h2>{t('admin.assignments')}</h2>
      {u.assignments.length === 0 ? <p>{t('admin.noAssignments')}</p> : (
        <ul>
          {u.assignments.map((a) => (
            <li key={a.dossierId}>
              <Link to={{ name: 'adminDossier', id: a.dossierId }}>{a.reference}</Link>{' '}
              <button type="button" className="secondary small" disabled={m.busy} onClick={() => void act(UNASSIGN_DOSSIER, { dossierId: a.dossierId, userId: u.id }, t('admin.unassigned', { reference: a.reference }))}>
                {t('admin.unassign')}<span className="visually-hidden"> — {a.reference}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {self ? <p className="hint">{t('admin.ownAssignment')}</p> : <AssignForm exclude={u.assignments.map((a) => a.dossierId)} onAssign={(dossierId) => act(ASSIGN_DOSSIER, { dossierId, userId: u.id }, t('admin.assigned'), dossierId ? {} : { dossierId: 'forms.required' })} error={m.error} busy={m.busy} />}
    </section>
  );
}

function AssignForm({ exclude, onAssign, error, busy }: { exclude: string[]; onAssign: (dossierId: string) => Promise<boolean>; error: DescribedError | null; busy: boolean }) {
  const { t } = useTranslation();
  const [dossierId, setDossierId] = useState('');
  const [{ data }] = useQuery({ query: DOSSIERS, variables: { first: 100, filter: { status: 'OPEN' } } });
  const options = (data?.dossiers.nodes ?? []).filter((d) => !exclude.includes(d.id));
  return (
    <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); void onAssign(dossierId).then((ok) => ok && setDossierId('')); }}>
      <SelectField label={t('admin.assignDossier')} name="dossierId" value={dossierId} onChange={(e) => setDossierId(e.target.value)} error={error}
        options={[{ value: '', label: t('forms.choose') }, ...options.map((d) => ({ value: d.id, label: `${d.reference} — ${d.title}` }))]} />
      <div className="actions"><button type="submit" disabled={busy}>{t('admin.assign')}</button></div>
    </form>
  );
}
