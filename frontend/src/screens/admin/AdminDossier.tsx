// Who works on a dossier and which co-civil-party organisations see it
// (role admin: no case content).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError, errorCode } from '../../api/errors';
import {
  ADMIN_DOSSIER_QUERY,
  ASSIGN_DOSSIER,
  SHARE_DOSSIER,
  UNASSIGN_DOSSIER,
  UNSHARE_DOSSIER,
  USERS,
  } from '../../api/queries';
import { Done, ErrorSummary, Field, Loading, PageHeading, SelectField } from '../../components';
import { formatDateTime, type Lang } from '../../lib/datetime';
import { can } from '../../lib/roles';
import { Link } from '../../lib/router';
import { useViewer } from '../../viewer';
import { Forbidden } from './Admin';
import { useAction } from '../../api/useAction';

export function AdminDossier({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const viewer = useViewer();
  const allowed = can(viewer?.roles, 'dossier:assign');
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ADMIN_DOSSIER_QUERY, variables: { id }, pause: !allowed, requestPolicy: 'network-only' });
  const [users] = useQuery({ query: USERS, variables: { first: 100, filter: { disabled: false } }, pause: !allowed });
  const [userId, setUserId] = useState('');
  const [orgId, setOrgId] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const m = useAction();
  if (!allowed) return <Forbidden title={t('titles.dossier')} />;
  if (fetching && !data) return <Loading />;
  const d = data?.dossier;
  if (!d) {
    return (
      <section>
        <PageHeading title={t('titles.dossier')} />
        {!error || errorCode(error) === 'NOT_FOUND' ? <p role="alert">{t('dossier.notFound')}</p> : <ErrorSummary error={describeError(error, t)} />}
      </section>
    );
  }
  const act = async (doc: Parameters<typeof m.run>[0], vars: Record<string, unknown>, message: string, problems = {}) => {
    setDone(null);
    const ok = (await m.run(doc, vars, problems)) !== null;
    if (ok) {
      setDone(message);
      reexecute({ requestPolicy: 'network-only' });
    }
    return ok;
  };
  const assigned = new Set(d.assignees.map((a) => a.userId));
  return (
    <article>
      <p><Link to={{ name: 'dossiers' }}>{t('dossier.back')}</Link></p>
      <PageHeading title={t('titles.dossier')}>{t('admin.dossierHeading', { reference: d.reference })}</PageHeading>
      <p>{d.title} ({t(`enums.DossierStatus.${d.status}`)})</p>
      <Done message={done} />
      <ErrorSummary error={m.error} />

      <section aria-labelledby="s-assignees">
        <h2 id="s-assignees">{t('admin.assignees')}</h2>
        {d.assignees.length === 0 ? <p>{t('admin.noAssignees')}</p> : (
          <ul>
            {d.assignees.map((a) => (
              <li key={a.userId}>
                <Link to={{ name: 'adminUser', id: a.userId }}>{a.displayName}</Link> — {a.roles.map((r) => t(`enums.Role.${r}`)).join(', ')}
                {' '}<span className="hint">{t('admin.since', { date: formatDateTime(a.assignedAt, lang) })}</span>{' '}
                <button type="button" className="secondary small" disabled={m.busy} onClick={() => void act(UNASSIGN_DOSSIER, { dossierId: d.id, userId: a.userId }, t('admin.unassignedUser', { name: a.displayName }))}>
                  {t('admin.unassign')}<span className="visually-hidden"> — {a.displayName}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); void act(ASSIGN_DOSSIER, { dossierId: d.id, userId }, t('admin.assigned'), userId ? {} : { userId: 'forms.required' }).then((ok) => ok && setUserId('')); }}>
          <SelectField label={t('admin.assignUser')} name="userId" value={userId} onChange={(e) => setUserId(e.target.value)} error={m.error}
            options={[{ value: '', label: t('forms.choose') }, ...(users.data?.users.nodes ?? []).filter((u) => !assigned.has(u.id)).map((u) => ({ value: u.id, label: `${u.displayName} (${u.roles.map((r) => t(`enums.Role.${r}`)).join(', ')})` }))]} />
          <div className="actions"><button type="submit" disabled={m.busy}>{t('admin.assign')}</button></div>
        </form>
      </section>

      <section aria-labelledby="s-sharing">
        <h2 id="s-sharing">{t('admin.sharing')}</h2>
        <p className="hint">{t('admin.sharingHelp')}</p>
        {d.sharedWith.length === 0 ? <p>{t('admin.notShared')}</p> : (
          <ul>
            {d.sharedWith.map((o) => (
              <li key={o.id}>
                {o.name}{' '}
                <button type="button" className="secondary small" disabled={m.busy} onClick={() => window.confirm(t('admin.confirmUnshare', { name: o.name })) && void act(UNSHARE_DOSSIER, { dossierId: d.id, organisationId: o.id }, t('admin.unshared', { name: o.name }))}>
                  {t('admin.unshare')}<span className="visually-hidden"> — {o.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); void act(SHARE_DOSSIER, { dossierId: d.id, organisationId: orgId.trim() }, t('admin.shared'), orgId.trim() ? {} : { organisationId: 'forms.required' }).then((ok) => ok && setOrgId('')); }}>
          <Field label={t('admin.organisationId')} hint={t('admin.organisationIdHint')} name="organisationId" value={orgId} onChange={(e) => setOrgId(e.target.value)} error={m.error} />
          <div className="actions"><button type="submit" disabled={m.busy}>{t('admin.share')}</button></div>
        </form>
      </section>
    </article>
  );
}
