import { describe, expect, it } from 'vitest';
import { auditExportUrl, auditFilter, badIds, EMPTY_AUDIT_FORM } from './audit';

describe('audit search', () => {
  it('turns Paris days into instants, the last day included', () => {
    expect(auditFilter({ ...EMPTY_AUDIT_FORM, fromDay: '2026-03-01', toDay: '2026-03-31', action: 'victim.*', outcome: 'DENIED' })).toEqual({
      from: '2026-03-01T00:00:00+01:00', to: '2026-04-01T00:00:00+02:00', action: 'victim.*', outcome: 'DENIED',
    });
    expect(auditFilter(EMPTY_AUDIT_FORM)).toEqual({});
  });
  it('builds the export URL with encoded offsets', () => {
    expect(auditExportUrl({})).toBe('/audit/export.csv');
    expect(auditExportUrl({ from: '2026-03-01T00:00:00+01:00', action: 'victim.*' })).toBe('/audit/export.csv?action=victim.*&from=2026-03-01T00%3A00%3A00%2B01%3A00');
  });
  it('selects the changes of rights (category PRIVILEGE), in the search and the export alike', () => {
    const f = auditFilter({ ...EMPTY_AUDIT_FORM, privilegeOnly: true, outcome: 'DENIED' });
    expect(f).toEqual({ category: 'PRIVILEGE', outcome: 'DENIED' });
    expect(auditExportUrl(f)).toBe('/audit/export.csv?outcome=DENIED&category=PRIVILEGE');
    expect(auditFilter({ ...EMPTY_AUDIT_FORM, privilegeOnly: false })).toEqual({});
  });
  it('flags values that are not ids', () => {
    expect(badIds({ ...EMPTY_AUDIT_FORM, actorId: 'Jean', dossierId: '0b5c2a1e-1111-4222-8333-444455556666' })).toEqual(['actorId']);
  });
});
