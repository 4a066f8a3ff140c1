import { describe, expect, it } from 'vitest';
import { hearingInput } from './Actions';

const base = { startsAt: '', endsAt: '', kind: 'TRIAL', courtRoom: '', attendees: '', proceedingId: '' };

describe('hearingInput', () => {
  it('sends Paris wall-clock times as RFC 3339 with the offset of that date', () => {
    const r = hearingInput({ ...base, startsAt: '2026-12-01T09:30', endsAt: '2026-12-01T12:00', attendees: 'avocate, juriste' }, 'd1');
    expect(r.problems).toEqual({});
    expect(r.input).toEqual({
      dossierId: 'd1', proceedingId: null, kind: 'TRIAL', startsAt: '2026-12-01T09:30:00+01:00', endsAt: '2026-12-01T12:00:00+01:00',
      courtRoom: null, attendees: ['avocate', 'juriste'],
    });
    expect(hearingInput({ ...base, startsAt: '2026-06-15T14:00' }, 'd1').input.startsAt).toBe('2026-06-15T14:00:00+02:00');
  });
  it('reports missing, impossible and inverted times beside their field', () => {
    expect(hearingInput(base, 'd1').problems).toEqual({ startsAt: 'forms.required' });
    expect(hearingInput({ ...base, startsAt: '2026-03-29T02:30' }, 'd1').problems).toEqual({ startsAt: 'hearing.noSuchTime' });
    expect(hearingInput({ ...base, startsAt: '2026-12-01T10:00', endsAt: '2026-12-01T09:00' }, 'd1').problems).toEqual({ endsAt: 'hearing.endBeforeStart' });
  });
});
