// Every operation of the app is valid against the API contract
// (graph/schema/*.graphqls), so a schema change that breaks the app fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as Q from './queries';

const dir = fileURLToPath(new URL('../../../graph/schema', import.meta.url));
const sdl = readdirSync(dir)
  .filter((f) => f.endsWith('.graphqls'))
  .map((f) => readFileSync(join(dir, f), 'utf8'))
  .join('\n');
const schema = buildSchema(sdl);

const documents = Object.entries(Q).filter((e): e is [string, DocumentNode] => typeof e[1] === 'object' && (e[1] as DocumentNode).kind === 'Document');
// The operations; the other documents are the fragments they spread (each
// operation document carries the definitions of the fragments it uses).
const docs = documents.filter(([, d]) => d.definitions.some((x) => x.kind === 'OperationDefinition'));
const fragments = documents.filter(([, d]) => d.definitions.every((x) => x.kind === 'FragmentDefinition'));

describe('operations', () => {
  it('are all checked', () => {
    expect(docs.map(([n]) => n).sort()).toEqual(
      [
        'CHANGE_PASSWORD', 'CONFIRM_TOTP', 'DOSSIER', 'DOSSIERS', 'LOGIN', 'LOGOUT', 'ME', 'UPCOMING_HEARINGS', 'SIGN_IN_OPTIONS',
        'DOSSIER_FIELDS', 'CREATE_DOSSIER', 'UPDATE_DOSSIER', 'ADD_VICTIM', 'ADD_DEFENDANT', 'REVEAL_IDENTITY', 'PENAL_ARTICLES',
        'ADD_CHARGE', 'REQUALIFY_CHARGE', 'SCHEDULE_HEARING', 'DOSSIER_EVIDENCE', 'CREATE_EVIDENCE', 'ADD_CONTENT_REFERENCE',
        'RECORD_CONTENT_REPORT', 'CALENDAR_HEARINGS', 'UPCOMING_DEADLINES', 'CALENDAR_DEADLINES', 'USERS', 'CREATE_USER', 'SET_USER_ROLES', 'DISABLE_USER', 'ENABLE_USER',
        'RESET_SECOND_FACTOR', 'RESET_PASSWORD', 'ADMIN_DOSSIER_QUERY', 'ASSIGN_DOSSIER', 'UNASSIGN_DOSSIER', 'SHARE_DOSSIER',
        'UNSHARE_DOSSIER', 'AUDIT_EVENTS', 'VICTIM_ACCESS_REPORT', 'USER_QUERY',
        'CLOSE_DOSSIER', 'REOPEN_DOSSIER', 'SET_VICTIM_IDENTITY', 'MOVE_HEARING', 'CANCEL_HEARING', 'RECORD_HEARING_OUTCOME',
        'UPDATE_DEFENDANT', 'SET_DEFENDANT_IDENTITY', 'VICTIM_CONSENTS', 'DOSSIER_CONSENTS', 'RECORD_CONSENT', 'WITHDRAW_CONSENT',
        'OPEN_PROCEEDING', 'UPDATE_PROCEEDING', 'CLOSE_PROCEEDING', 'ADVANCE_PROCEEDING', 'CONSTITUTE_CIVIL_PARTY', 'DECIDE_STANDING', 'WITHDRAW_STANDING',
        'ORGANISATION_STANDING', 'REGENERATE_RECOVERY_CODES', 'END_USER_SESSIONS', 'ERASE_DOSSIER_CONTENT', 'MY_SESSIONS', 'END_MY_SESSION',
        'CALENDAR_FEEDS', 'CREATE_CALENDAR_FEED', 'REVOKE_CALENDAR_FEED',
      ].sort(),
    );
  });
  it('and the fragments they share', () => {
    expect(fragments.map(([n]) => n).sort()).toEqual(
      ['ADMIN_DOSSIER_FIELDS', 'CHARGE_FIELDS', 'CONSENT_FIELDS', 'HEARING_STATE', 'PROCEEDING_FIELDS', 'STANDING_FIELDS', 'USER_FIELDS', 'VIEWER_FIELDS'].sort(),
    );
    expect(docs.length + fragments.length).toBe(documents.length);
  });
  for (const [name, doc] of docs) {
    it(`${name} is valid against graph/schema`, () => {
      expect(validate(schema, doc).map((e) => e.message)).toEqual([]);
    });
  }
});
