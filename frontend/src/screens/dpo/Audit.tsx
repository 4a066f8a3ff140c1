// The data-protection officer's screens: audit log search with CSV export,
// and the per-victim access report (printable).
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError, errorCode, type DescribedError } from '../../api/errors';
import type { VariablesOf } from '../../api/graphql';
import { AUDIT_EVENTS, VICTIM_ACCESS_REPORT, type AuditEventRow, type AuditFilter, type AuditOutcome } from '../../api/queries';
import { CopyId, ErrorSummary, Field, Loading, PageHeading, SelectField } from '../../components';
import { actionGroups, actionLabel, knownAction, permissionLabel, resourceLabel, roleLabel, shortId } from '../../lib/audit';
import { downloadFile, type TransferResult } from '../../lib/files';
import { formatDate, formatDateTime, type Lang } from '../../lib/datetime';
import { localError, type Problems } from '../../lib/forms';
import { can } from '../../lib/roles';
import { Link } from '../../lib/router';
import { useViewer } from '../../viewer';
import { Forbidden } from '../admin/Admin';
import { prefillErase } from './erase';
import { auditExportUrl, auditFilter, badIds, EMPTY_AUDIT_FORM, type AuditForm } from './audit';

// The search lives in memory only (never in the URL or storage).
let remembered: AuditForm = EMPTY_AUDIT_FORM;

export function forgetAudit() {
  remembered = EMPTY_AUDIT_FORM;
}

function exportProblem(r: Extract<TransferResult, { ok: false }>, t: (k: string) => string): string {
  if (r.status === 0) return t('errors.network');
  if (r.status === 400) return t('audit.exportInvalid');
  if (r.code) return t(`errors.${r.code}`);
  return t('errors.unknown');
}

/**
 * The "changes of rights" switch: only the events of category PRIVILEGE
 * (roles granted or removed, assignments, sharing, password and
 * second-factor resets, sessions ended, accounts disabled, and refused
 * attempts at them). It applies at once.
 */
export function PrivilegeToggle({ checked, onChange }: { checked: boolean; onChange: (v: boolean) => void }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className="field privilege-toggle">
      <label className="check">
        <input type="checkbox" name="privilegeOnly" checked={checked} aria-describedby={`${id}-hint`}
          onChange={(e) => onChange(e.target.checked)} />
        {t('audit.privilege')}
      </label>
      <p className="hint" id={`${id}-hint`}>{t('audit.privilegeHint')}</p>
    </div>
  );
}

/** The action filter: one action in words, or every action of an area (victim.*). */
function ActionSelect({ value, onChange, error }: { value: string; onChange: (e: { target: { value: string } }) => void; error: DescribedError | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const groups = actionGroups().map((g) => {
    const area = t(`auditWords.areas.${g.area}`, { defaultValue: g.area });
    return {
      label: area,
      options: [
        ...(g.actions.length > 1 ? [{ value: `${g.area}.*`, label: t('audit.allInArea', { area }) }] : []),
        ...g.actions.map((a) => ({ value: a, label: actionLabel(a, lang) })),
      ],
    };
  });
  // A value typed before (or a pattern) stays selectable.
  const known = value === '' || knownAction(value) || groups.some((g) => g.options.some((o) => o.value === value));
  return (
    <SelectField label={t('audit.action')} hint={t('audit.actionHint')} name="action" value={value} onChange={onChange} error={error}
      options={[{ value: '', label: t('audit.anyAction') }, ...(known ? [] : [{ value, label: value }])]} groups={groups} />
  );
}

/** Who did it: the display name (an id only when no name is known), their roles in words. */
function Actor({ e, onFilter }: { e: AuditEventRow; onFilter: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const nobody = e.action.startsWith('auth.') ? t('audit.unknownActor') : t('audit.system');
  return (
    <>
      {e.actorName ?? (e.actorId ? <CopyId id={e.actorId} what={resourceLabel('user', lang)} /> : nobody)}
      {e.actorRoles.length > 0 && <div className="hint">{e.actorRoles.map((r) => roleLabel(r, lang)).join(', ')}</div>}
      {e.actorId && (
        <div>
          <button type="button" className="link" onClick={() => onFilter(e.actorId!)}>
            {t('audit.filterActor')}{e.actorName && <span className="visually-hidden"> — {e.actorName}</span>}
          </button>
        </div>
      )}
    </>
  );
}

/** One resource: a user by name when this page knows it, else the id, short, with a copy button. */
function ResourceId({ id, type, names }: { id: string; type: string; names: Map<string, string> }) {
  const { i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const name = type === 'user' ? names.get(id) : undefined;
  return (
    <li>
      {name && <>{name} </>}
      <CopyId id={id} what={resourceLabel(type, lang)} />
    </li>
  );
}

const SHOWN_IDS = 3;

export function EventRow({ e, names, canErase, onFilter }: {
  e: AuditEventRow; names: Map<string, string>; canErase: boolean; onFilter: (k: 'actorId' | 'resourceId' | 'dossierId', id: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const ids = e.resourceIds;
  return (
    <tr>
      <td><time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt, lang)}</time>{!e.sealed && <div className="hint">{t('audit.unsealed')}</div>}</td>
      <td><Actor e={e} onFilter={(id) => onFilter('actorId', id)} /></td>
      <td>
        <span className="audit-action">{actionLabel(e.action, lang)}</span>
        <div className="hint"><code>{e.action}</code></div>
        {e.permission && <div className="hint">{t('audit.permission', { name: permissionLabel(e.permission, lang) })}</div>}
      </td>
      <td>
        {resourceLabel(e.resourceType, lang)}
        {ids.length > 0 && (
          <ul className="ids">
            {ids.slice(0, SHOWN_IDS).map((id) => <ResourceId key={id} id={id} type={e.resourceType} names={names} />)}
          </ul>
        )}
        {ids.length > SHOWN_IDS && (
          <details>
            <summary>{t('audit.moreIds', { count: ids.length - SHOWN_IDS })}</summary>
            <ul className="ids">
              {ids.slice(SHOWN_IDS).map((id) => <ResourceId key={id} id={id} type={e.resourceType} names={names} />)}
            </ul>
          </details>
        )}
        {ids.length === 1 && e.resourceType !== 'dossier' && (
          <div><button type="button" className="link" onClick={() => onFilter('resourceId', ids[0])}>{t('audit.filterResource')}</button></div>
        )}
        {e.dossierId && (
          <div className="audit-dossier">
            <span className="hint">{t('audit.dossier')}</span> <CopyId id={e.dossierId} what={resourceLabel('dossier', lang)} />
            <div><button type="button" className="link" onClick={() => onFilter('dossierId', e.dossierId!)}>{t('audit.filterDossier')}</button></div>
            {canErase && <div><Link to={{ name: 'erase' }} onClick={() => prefillErase(e.dossierId!)}>{t('audit.eraseDossier')}<span className="visually-hidden"> {shortId(e.dossierId)}</span></Link></div>}
          </div>
        )}
      </td>
      <td>{t(`enums.AuditOutcome.${e.outcome}`)}</td>
      <td className="prewrap">{e.reason || t('dossier.empty')}</td>
    </tr>
  );
}

export function AuditLog() {
  const { t } = useTranslation();
  const viewer = useViewer();
  const allowed = can(viewer?.roles, 'audit:read');
  const canErase = can(viewer?.roles, 'dossier:erase');
  const [form, setForm] = useState<AuditForm>(remembered);
  const [applied, setApplied] = useState<AuditFilter>(() => auditFilter(remembered));
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [formError, setFormError] = useState<DescribedError | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  remembered = form;
  const variables = useMemo(() => ({ filter: applied, first: 50, after: cursors[cursors.length - 1] }), [applied, cursors]);
  const [{ data, fetching, error }] = useQuery({ query: AUDIT_EVENTS, variables, pause: !allowed, requestPolicy: 'network-only' });
  if (!allowed) return <Forbidden title={t('titles.audit')} />;

  const u = (k: keyof AuditForm) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const validate = (): boolean => {
    const p: Problems = {};
    for (const k of badIds(form)) p[k] = 'audit.badId';
    if (form.fromDay && form.toDay && form.toDay < form.fromDay) p.toDay = 'audit.badRange';
    const e = localError(p, t);
    setFormError(e);
    return !e;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!validate()) return;
    setApplied(auditFilter(form));
    setCursors([null]);
  };
  const exportCsv = async () => {
    if (!validate()) return;
    setExportError(null);
    setExporting(true);
    const r = await downloadFile(auditExportUrl(auditFilter(form)), 'journal-audit.csv');
    setExporting(false);
    if (!r.ok) setExportError(exportProblem(r, t));
  };
  /** "Filtrer sur ce dossier" and the like: one more criterion, applied at once. */
  const filterOn = (k: 'actorId' | 'resourceId' | 'dossierId', id: string) => {
    const next = { ...form, [k]: id };
    setForm(next);
    setFormError(null);
    setApplied(auditFilter(next));
    setCursors([null]);
  };
  const err = formError ?? (error ? describeError(error, t) : null);
  const conn = data?.auditEvents;
  // The names of the people this page shows acting, for the user ids it names as resources.
  const names = new Map<string, string>();
  for (const n of conn?.nodes ?? []) if (n.actorId && n.actorName) names.set(n.actorId, n.actorName);
  const unsealed = conn?.nodes.some((n) => !n.sealed);
  return (
    <section>
      <PageHeading title={t('titles.audit')}>{t('audit.heading')}</PageHeading>
      <form className="filters" role="search" noValidate onSubmit={submit}>
        <PrivilegeToggle checked={form.privilegeOnly} onChange={(v) => {
          const next = { ...form, privilegeOnly: v };
          setForm(next);
          if (badIds(next).length === 0) { setApplied(auditFilter(next)); setCursors([null]); }
        }} />
        <Field label={t('audit.actorId')} name="actorId" value={form.actorId} onChange={u('actorId')} error={err} />
        <Field label={t('audit.resourceId')} hint={t('audit.resourceIdHint')} name="resourceId" value={form.resourceId} onChange={u('resourceId')} error={err} />
        <Field label={t('audit.dossierId')} name="dossierId" value={form.dossierId} onChange={u('dossierId')} error={err} />
        <ActionSelect value={form.action} onChange={u('action')} error={err} />
        <SelectField label={t('audit.outcome')} name="outcome" value={form.outcome} onChange={u('outcome')} error={err}
          options={[{ value: '', label: t('audit.anyOutcome') }, ...(['ALLOWED', 'DENIED'] as AuditOutcome[]).map((o) => ({ value: o, label: t(`enums.AuditOutcome.${o}`) }))]} />
        <Field label={t('audit.fromDay')} name="fromDay" type="date" value={form.fromDay} onChange={u('fromDay')} error={err} apiField="from" />
        <Field label={t('audit.toDay')} name="toDay" type="date" value={form.toDay} onChange={u('toDay')} error={err} apiField="to" />
        <div className="actions">
          <button type="submit">{t('audit.search')}</button>
          <button type="button" className="secondary" onClick={() => { setForm(EMPTY_AUDIT_FORM); setApplied({}); setCursors([null]); setFormError(null); }}>{t('dossiers.reset')}</button>
          <button type="button" className="secondary" disabled={exporting} onClick={() => void exportCsv()}>{exporting ? t('audit.exporting') : t('audit.export')}</button>
        </div>
      </form>
      <p className="hint">{t('audit.parisTime')}</p>
      {exportError && <p className="error-summary" role="alert">{exportError}</p>}
      <ErrorSummary error={err} />
      {fetching && !data && <Loading />}
      {unsealed && <p className="hint">{t('audit.unsealedHint')}</p>}
      {conn && (conn.nodes.length === 0 ? <p role="status">{t('audit.none')}</p> : (
        <table className="audit">
          <caption className="visually-hidden">{t('audit.heading')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.who')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.resources')}</th>
              <th scope="col">{t('audit.outcome')}</th>
              <th scope="col">{t('audit.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {conn.nodes.map((e) => (
              <EventRow key={e.id} e={e} names={names} canErase={canErase} onFilter={filterOn} />
            ))}
          </tbody>
        </table>
      ))}
      {conn && (
        <nav className="pager" aria-label={t('dossiers.pageNav')}>
          <button type="button" className="secondary" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>{t('dossiers.previous')}</button>
          <span>{t('dossiers.page', { page: cursors.length })}</span>
          <button type="button" disabled={!conn.pageInfo.hasNextPage || fetching} onClick={() => conn.pageInfo.endCursor && setCursors((c) => [...c, conn.pageInfo.endCursor])}>{t('dossiers.next')}</button>
        </nav>
      )}
    </section>
  );
}

export function AccessReport() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const viewer = useViewer();
  const allowed = can(viewer?.roles, 'audit:read');
  const [victimId, setVictimId] = useState('');
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  const [vars, setVars] = useState<VariablesOf<typeof VICTIM_ACCESS_REPORT> | null>(null);
  const [formError, setFormError] = useState<DescribedError | null>(null);
  const [{ data, fetching, error }] = useQuery({ query: VICTIM_ACCESS_REPORT, variables: vars ?? { victimId: '' }, pause: !allowed || !vars, requestPolicy: 'network-only' });
  if (!allowed) return <Forbidden title={t('titles.accessReport')} />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p: Problems = {};
    if (badIds({ ...EMPTY_AUDIT_FORM, resourceId: victimId }).length || !victimId.trim()) p.victimId = 'audit.badId';
    const le = localError(p, t);
    setFormError(le);
    if (le) return;
    const f = auditFilter({ ...EMPTY_AUDIT_FORM, fromDay, toDay });
    setVars({ victimId: victimId.trim(), from: f.from, to: f.to });
  };
  const r = data?.victimAccessReport;
  const err = formError ?? (error && errorCode(error) !== 'NOT_FOUND' ? describeError(error, t) : null);
  return (
    <section className="report">
      <PageHeading title={t('titles.accessReport')}>{t('report.heading')}</PageHeading>
      <form className="filters no-print" noValidate onSubmit={submit}>
        <Field label={t('report.victimId')} hint={t('report.victimIdHint')} name="victimId" value={victimId} onChange={(e) => setVictimId(e.target.value)} error={err} />
        <Field label={t('audit.fromDay')} name="fromDay" type="date" value={fromDay} onChange={(e) => setFromDay(e.target.value)} error={err} apiField="from" />
        <Field label={t('audit.toDay')} name="toDay" type="date" value={toDay} onChange={(e) => setToDay(e.target.value)} error={err} apiField="to" />
        <div className="actions">
          <button type="submit">{t('report.generate')}</button>
          {r && <button type="button" className="secondary" onClick={() => window.print()}>{t('report.print')}</button>}
        </div>
      </form>
      <ErrorSummary error={err} />
      {error && errorCode(error) === 'NOT_FOUND' && <p role="alert">{t('report.notFound')}</p>}
      {fetching && <Loading />}
      {r && (
        <div className="printable">
          <h2>{t('report.title', { pseudonym: r.pseudonym })}</h2>
          <dl className="details">
            <dt>{t('report.dossier')}</dt><dd>{r.dossierReference}</dd>
            <dt>{t('report.generatedAt')}</dt><dd>{formatDateTime(r.generatedAt, lang)}</dd>
            <dt>{t('report.period')}</dt><dd>{vars?.from || vars?.to ? `${formatDate(fromDay, lang) || '…'} → ${formatDate(toDay, lang) || '…'}` : t('report.allTime')}</dd>
          </dl>
          <p className="hint">{t('report.explanation')}</p>
          {r.entries.length === 0 ? <p>{t('report.none')}</p> : (
            <table>
              <caption className="visually-hidden">{t('report.title', { pseudonym: r.pseudonym })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.when')}</th>
                  <th scope="col">{t('audit.who')}</th>
                  <th scope="col">{t('report.what')}</th>
                  <th scope="col">{t('audit.outcome')}</th>
                  <th scope="col">{t('audit.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {r.entries.map((e, i) => (
                  <tr key={i}>
                    <td><time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt, lang)}</time></td>
                    <td>{e.who}<div className="hint">{e.roles.map((r) => roleLabel(r, lang)).join(', ')}</div></td>
                    <td>{e.what}</td>
                    <td>{t(`enums.AuditOutcome.${e.outcome}`)}</td>
                    <td className="prewrap">{e.reason || t('dossier.empty')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
