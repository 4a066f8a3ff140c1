// The audit search form's values → API filter and CSV export URL.
import type { AuditFilter, AuditOutcome } from '../../api/queries';
import { addDays, parisMidnight } from '../../lib/datetime';

export interface AuditForm {
  actorId: string;
  resourceId: string;
  dossierId: string;
  action: string;
  outcome: AuditOutcome | '';
  fromDay: string;
  toDay: string;
  /** Only changes of rights (category PRIVILEGE: roles, assignments, sharing, resets, sessions, accounts disabled). */
  privilegeOnly: boolean;
}

export const EMPTY_AUDIT_FORM: AuditForm = {
  actorId: '', resourceId: '', dossierId: '', action: '', outcome: '', fromDay: '', toDay: '', privilegeOnly: false,
};

/** The filter of the form: days are whole days in Paris (the last one included). */
export function auditFilter(f: AuditForm): AuditFilter {
  const r: AuditFilter = {};
  if (f.actorId.trim()) r.actorId = f.actorId.trim();
  if (f.resourceId.trim()) r.resourceId = f.resourceId.trim();
  if (f.dossierId.trim()) r.dossierId = f.dossierId.trim();
  if (f.action.trim()) r.action = f.action.trim();
  if (f.outcome) r.outcome = f.outcome;
  if (f.privilegeOnly) r.category = 'PRIVILEGE';
  if (f.fromDay) r.from = parisMidnight(f.fromDay);
  if (f.toDay) r.to = parisMidnight(addDays(f.toDay, 1));
  return r;
}

/** GET /audit/export.csv with the same filter as query parameters (ids, actions and instants only). */
export function auditExportUrl(filter: AuditFilter): string {
  const q = new URLSearchParams();
  for (const k of ['actorId', 'resourceId', 'dossierId', 'action', 'outcome', 'category', 'from', 'to'] as const) {
    const v = filter[k];
    if (v) q.set(k, v);
  }
  const s = q.toString();
  return s ? `/audit/export.csv?${s}` : '/audit/export.csv';
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Fields whose value is not an id. */
export function badIds(f: AuditForm): string[] {
  return (['actorId', 'resourceId', 'dossierId'] as const).filter((k) => f[k].trim() && !UUID.test(f[k].trim()));
}
