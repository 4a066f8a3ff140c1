// What the signed-in user's roles allow, to show only what they may use
// (docs/security.md; the API refuses anyway).
import type { Role } from '../api/queries';

export type Ability =
  | 'dossier:read'
  | 'dossier:write'
  | 'case:read'
  | 'case:write'
  | 'hearing:write'
  | 'standing:write'
  | 'identity:read'
  | 'evidence:read'
  | 'evidence:write'
  | 'user:write'
  | 'dossier:assign'
  | 'audit:read'
  | 'dossier:erase';

const GRANTS: Record<Ability, Role[]> = {
  'dossier:read': ['ADMIN', 'LEGAL_STAFF', 'PARTNER_LAWYER', 'ADVOCACY'],
  'dossier:write': ['LEGAL_STAFF'],
  'case:read': ['LEGAL_STAFF', 'PARTNER_LAWYER', 'ADVOCACY'],
  'case:write': ['LEGAL_STAFF'],
  'hearing:write': ['LEGAL_STAFF', 'PARTNER_LAWYER'],
  'standing:write': ['LEGAL_STAFF'],
  'identity:read': ['LEGAL_STAFF', 'PARTNER_LAWYER'],
  'evidence:read': ['LEGAL_STAFF', 'PARTNER_LAWYER'],
  'evidence:write': ['LEGAL_STAFF', 'PARTNER_LAWYER'],
  'user:write': ['ADMIN'],
  'dossier:assign': ['ADMIN'],
  'audit:read': ['DPO'],
  'dossier:erase': ['DPO'],
};

export function can(roles: readonly Role[] | undefined, a: Ability): boolean {
  return !!roles && roles.some((r) => GRANTS[a].includes(r));
}
