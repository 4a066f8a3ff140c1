// The words of the audit log: every action the backend records (the one
// list of them in the web app), the kinds of resource, the permissions
// checked and the roles, in French and English. The codes stay the API's;
// the screens show the words, the action code only as a secondary hint for
// the data-protection officer's precision.
//
// audit.test.ts reads the Go sources (internal/) and fails when the backend
// records an action missing here.
import { en } from '../i18n/en';
import { fr } from '../i18n/fr';
import type { Lang } from './datetime';

/** Every action code the backend writes to the audit log, by area. */
export const AUDIT_ACTIONS = [
  // internal/auth: sign-in, sessions, second factor, passwords
  'auth.login',
  'auth.login.throttled',
  'auth.oidc.login',
  'auth.logout',
  'auth.totp.enroll',
  'auth.recovery_codes.regenerate',
  'auth.session.end',
  'auth.password.change',
  // internal/calfeed: calendar subscription links
  'calendar_feed.create',
  'calendar_feed.revoke',
  'calendar_feed.fetch',
  // internal/authz: any refusal
  'access.denied',
  // internal/user: accounts, roles, assignments, sharing
  'user.list',
  'user.read',
  'user.create',
  'user.roles',
  'user.disable',
  'user.enable',
  'user.password.reset',
  'user.totp.reset',
  'user.sessions.end',
  'dossier.assign',
  'dossier.unassign',
  'dossier.share',
  'dossier.unshare',
  // internal/organisation
  'organisation.create',
  'organisation.update',
  // internal/dossier (and the erasure, internal/evidence)
  'dossier.create',
  'dossier.update',
  'dossier.close',
  'dossier.reopen',
  'dossier.read',
  'dossier.list',
  'dossier.shares.read',
  'dossier.erase',
  // internal/person: victims, defendants, sealed identities, consents
  'victim.create',
  'victim.update',
  'victim.read',
  'victim.list',
  'victim.identity.write',
  'victim.identity.reveal',
  'defendant.create',
  'defendant.update',
  'defendant.read',
  'defendant.list',
  'defendant.identity.write',
  'defendant.identity.reveal',
  'consent.create',
  'consent.withdraw',
  'consent.read',
  'consent.list',
  // internal/charge
  'charge.create',
  'charge.requalify',
  'charge.read',
  'charge.list',
  'charge.history',
  'penal_article.list',
  // internal/proceeding: proceedings and civil-party standing
  'proceeding.create',
  'proceeding.update',
  'proceeding.close',
  'proceeding.advance',
  'proceeding.read',
  'proceeding.list',
  'standing.create',
  'standing.decide',
  'standing.withdraw',
  'standing.list',
  // internal/hearing
  'hearing.schedule',
  'hearing.move',
  'hearing.cancel',
  'hearing.outcome',
  'hearing.read',
  'hearing.list',
  'deadline.create',
  'deadline.read',
  'deadline.list',
  'deadline.complete',
  'deadline.cancel',
  'deadline_rule.list',
  'deadline_rule.preview',
  // internal/evidence: documents, content references, reports, keys
  'evidence.create',
  'evidence.upload',
  'evidence.download',
  'evidence.read',
  'evidence.list',
  'evidence.verify',
  'content_reference.create',
  'content_reference.read',
  'content_reference.list',
  'content_report.create',
  'content_report.list',
  'keys.rotate',
  // internal/auditlog: the DPO's own reads
  'audit.search',
  'audit.export',
  'audit.victim_report',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The kinds of resource an event names (audit.Event.ResourceType). */
export const AUDIT_RESOURCE_TYPES = [
  'audit',
  'calendar_feed',
  'charge',
  'consent',
  'content_reference',
  'content_report',
  'deadline',
  'deadline_rule',
  'defendant',
  'dossier',
  'dossier-key',
  'evidence',
  'hearing',
  'organisation',
  'penal_article',
  'proceeding',
  'session',
  'standing',
  'totp',
  'user',
  'victim',
] as const;
export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number];

/** The permissions checked (internal/authz). */
export const AUDIT_PERMISSIONS = [
  'organisation:create',
  'organisation:read',
  'organisation:update',
  'dossier:read',
  'dossier:write',
  'case:read',
  'case:write',
  'hearing:write',
  'identity:read',
  'identity:write',
  'user:read',
  'user:write',
  'dossier:assign',
  'dossier:share',
  'audit:read',
  'evidence:read',
  'evidence:write',
  'dossier:erase',
  'standing:write',
] as const;
export type AuditPermission = (typeof AUDIT_PERMISSIONS)[number];

/** The roles as the audit log records them (lower case, superadmin included). */
export const AUDIT_ROLES = ['admin', 'legal_staff', 'partner_lawyer', 'advocacy', 'dpo', 'superadmin'] as const;
export type AuditRole = (typeof AUDIT_ROLES)[number];

const WORDS = { fr: fr.auditWords, en: en.auditWords };

function lookup<K extends keyof typeof fr.auditWords>(table: K, code: string, lang: Lang): string | undefined {
  const t = (WORDS[lang] ?? WORDS.fr)[table] as Record<string, string>;
  return Object.prototype.hasOwnProperty.call(t, code) ? t[code] : undefined;
}

/** An action in words (« Consultation de l’identité d’une victime »); an unknown code is given as is. */
export function actionLabel(code: string, lang: Lang): string {
  return lookup('actions', code, lang) ?? code;
}

/** Whether the web app knows this action. */
export function knownAction(code: string): code is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(code);
}

/** A kind of resource in words (« Victime »); an unknown one is given as is. */
export function resourceLabel(type: string, lang: Lang): string {
  return lookup('resources', type, lang) ?? type;
}

/** A permission in words (« Lecture du contenu des dossiers »). */
export function permissionLabel(p: string, lang: Lang): string {
  return lookup('permissions', p, lang) ?? p;
}

/** A role as the audit log records it, in words. */
export function roleLabel(r: string, lang: Lang): string {
  return lookup('roles', r.toLowerCase(), lang) ?? r;
}

/** The area of an action ("victim" for victim.identity.reveal), for the action filter's groups. */
export function actionArea(code: string): string {
  return code.split('.')[0];
}

/** The areas, in the order of AUDIT_ACTIONS, each with its actions. */
export function actionGroups(): { area: string; actions: AuditAction[] }[] {
  const out: { area: string; actions: AuditAction[] }[] = [];
  for (const a of AUDIT_ACTIONS) {
    const area = actionArea(a);
    let g = out.find((x) => x.area === area);
    if (!g) out.push((g = { area, actions: [] }));
    g.actions.push(a);
  }
  return out;
}

/** The first 8 characters of a UUID, to show it short ("3f2a9c1e…"). */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}
