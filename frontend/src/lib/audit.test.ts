// The audit log's words: every action the backend records has a French and
// an English label, read from the Go sources themselves, so a new action
// without its words fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { fr } from '../i18n/fr';
import {
  actionGroups,
  actionLabel,
  AUDIT_ACTIONS,
  AUDIT_PERMISSIONS,
  AUDIT_RESOURCE_TYPES,
  AUDIT_ROLES,
  permissionLabel,
  resourceLabel,
  roleLabel,
  shortId,
} from './audit';

const internal = fileURLToPath(new URL('../../../internal', import.meta.url));
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    if (statSync(p).isDirectory()) return walk(p);
    return p.endsWith('.go') && !p.endsWith('_test.go') ? [p] : [];
  });

/**
 * The action codes the backend writes: every "area.verb[.more]" string
 * literal of a Go file that records audit events (audit.Record or
 * audit.Event), whether it is an Event's Action or the argument of a helper
 * (userEvent, accountChange, recordDenied, readEvent…); and the suffixes
 * an Event's Action joins to a person's kind (kind + ".identity.reveal").
 */
function backendActions(): { actions: Set<string>; files: number } {
  const actions = new Set<string>();
  const personKinds = [...readFileSync(join(internal, 'person', 'service.go'), 'utf8').matchAll(/\bkind\w+\s*=\s*"([a-z_]+)"/g)].map((m) => m[1]);
  let files = 0;
  for (const f of walk(internal)) {
    const s = readFileSync(f, 'utf8');
    if (!/audit\.(Record|Event)\b/.test(s)) continue;
    files++;
    for (const m of s.matchAll(/"([a-z_]+(?:\.[a-z_]+)+)"/g)) {
      const code = m[1];
      // Not actions: validation field names ("filter.action") and SQL columns ("d.opened_on").
      if (code.startsWith('filter.') || /^[a-z]\./.test(code)) continue;
      actions.add(code);
    }
    for (const m of s.matchAll(/Action:\s*kind\s*\+\s*"(\.[a-z_]+(?:\.[a-z_]+)*)"/g)) for (const k of personKinds) actions.add(k + m[1]);
  }
  return { actions, files };
}

describe('the audit log’s words', () => {
  const { actions, files } = backendActions();

  it('read the backend’s actions from its sources', () => {
    expect(files).toBeGreaterThan(10);
    expect(actions.size).toBeGreaterThan(60);
    for (const a of ['victim.identity.reveal', 'defendant.identity.reveal', 'auth.login.throttled', 'auth.oidc.login', 'user.sessions.end', 'dossier.erase', 'keys.rotate']) {
      expect(actions, a).toContain(a);
    }
  });

  it('know every action the backend records, and none it does not', () => {
    const known = new Set<string>(AUDIT_ACTIONS);
    expect([...actions].filter((a) => !known.has(a)).sort(), 'actions missing from AUDIT_ACTIONS (lib/audit.ts) and auditWords (i18n)').toEqual([]);
    expect([...known].filter((a) => !actions.has(a)).sort(), 'actions the backend no longer records').toEqual([]);
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
  });

  it('translate every action, kind of resource, permission and role in French and English', () => {
    for (const [table, codes] of [
      ['actions', AUDIT_ACTIONS],
      ['resources', AUDIT_RESOURCE_TYPES],
      ['permissions', AUDIT_PERMISSIONS],
      ['roles', AUDIT_ROLES],
    ] as const) {
      for (const res of [fr, en]) {
        const words = res.auditWords[table] as Record<string, string>;
        expect(Object.keys(words).sort(), table).toEqual([...codes].sort());
        for (const c of codes) expect(words[c]?.trim(), `${table}.${c}`).toBeTruthy();
      }
    }
    for (const g of actionGroups()) {
      expect((fr.auditWords.areas as Record<string, string>)[g.area], g.area).toBeTruthy();
      expect((en.auditWords.areas as Record<string, string>)[g.area], g.area).toBeTruthy();
    }
  });

  it('know the backend’s permissions and resource types', () => {
    const authz = readFileSync(join(internal, 'authz', 'authz.go'), 'utf8');
    const perms = [...authz.matchAll(/Permission = "([a-z_]+:[a-z_]+)"/g)].map((m) => m[1]);
    expect(perms.length).toBeGreaterThan(15);
    expect([...perms].sort()).toEqual([...AUDIT_PERMISSIONS].sort());
    const types = new Set<string>();
    for (const f of walk(internal)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/ResourceType:\s*"([a-z_-]+)"/g)) types.add(m[1]);
    }
    expect([...types].filter((x) => !(AUDIT_RESOURCE_TYPES as readonly string[]).includes(x))).toEqual([]);
  });

  it('say what was done in words, keeping an unknown code as it is', () => {
    expect(actionLabel('victim.identity.reveal', 'fr')).toBe('Consultation de l’identité d’une victime');
    expect(actionLabel('victim.identity.reveal', 'en')).toBe('Victim’s identity revealed');
    expect(actionLabel('auth.login', 'fr')).toBe('Connexion');
    expect(actionLabel('auth.login.throttled', 'fr')).toBe('Connexion bloquée (trop de tentatives)');
    expect(actionLabel('something.new', 'fr')).toBe('something.new');
    expect(actionLabel('toString', 'fr')).toBe('toString');
    expect(resourceLabel('content_reference', 'fr')).toBe('Référence de contenu illicite');
    expect(permissionLabel('case:read', 'fr')).toBe('Lecture du contenu des dossiers');
    expect(roleLabel('legal_staff', 'fr')).toBe('Juriste');
    expect(roleLabel('LEGAL_STAFF', 'en')).toBe('Jurist');
    expect(roleLabel('superadmin', 'fr')).toBe('Opérateur de l’instance');
  });

  it('shorten identifiers', () => {
    expect(shortId('3f2a9c1e-0000-4000-8000-000000000001')).toBe('3f2a9c1e…');
    expect(shortId('abc')).toBe('abc');
  });
});
