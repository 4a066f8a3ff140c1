import { describe, expect, it } from 'vitest';
import { currentProceeding } from './Deadlines';
import { splitHearings } from './Hearings';
import { hearingInput, identityInput, moveHearingInput } from './Actions';

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

describe('moveHearingInput', () => {
  it('sends the new Paris times with the offset of their date, and null for an empty room (unchanged)', () => {
    expect(moveHearingInput({ startsAt: '2027-03-28T09:00', endsAt: '2027-03-28T11:30', courtRoom: ' Salle 2 ' })).toEqual({
      problems: {},
      input: { startsAt: '2027-03-28T09:00:00+02:00', endsAt: '2027-03-28T11:30:00+02:00', courtRoom: 'Salle 2' },
    });
    expect(moveHearingInput({ startsAt: '2026-12-01T09:30', endsAt: '', courtRoom: '  ' }).input).toEqual({
      startsAt: '2026-12-01T09:30:00+01:00', endsAt: null, courtRoom: null,
    });
  });
  it('reports missing, impossible and inverted times beside their field', () => {
    expect(moveHearingInput({ startsAt: '', endsAt: '', courtRoom: '' }).problems).toEqual({ startsAt: 'forms.required' });
    expect(moveHearingInput({ startsAt: '2026-03-29T02:15', endsAt: '', courtRoom: '' }).problems).toEqual({ startsAt: 'hearing.noSuchTime' });
    expect(moveHearingInput({ startsAt: '2026-12-01T10:00', endsAt: '2026-12-01T10:00', courtRoom: '' }).problems).toEqual({ endsAt: 'hearing.endBeforeStart' });
  });
});

describe('identityInput', () => {
  const empty = { legalName: '', birthDate: '', address: '', phone: '', email: '', legalRepresentative: '', adHocAdministrator: '' };
  it('requires the legal name and sends empty fields as null', () => {
    expect(identityInput(empty).problems).toEqual({ legalName: 'forms.required' });
    expect(identityInput({ ...empty, legalName: ' A B ', birthDate: '2012-05-04', phone: '+33 1 23' })).toEqual({
      problems: {},
      input: { legalName: 'A B', birthDate: '2012-05-04', address: null, phone: '+33 1 23', email: null, legalRepresentative: null, adHocAdministrator: null },
    });
  });
});

describe('splitHearings', () => {
  const now = new Date('2026-12-04T12:00:00Z');
  const h = (id: string, startsAt: string, status = 'SCHEDULED') => ({ id, startsAt, status });
  it('puts the next hearing first, then later ones, and the past newest first', () => {
    const { upcoming, past } = splitHearings(
      [
        h('later', '2027-01-15T08:00:00Z'),
        h('held', '2026-11-02T08:00:00Z', 'HELD'),
        h('next', '2026-12-10T08:00:00Z'),
        h('older', '2026-06-02T08:00:00Z', 'HELD'),
        h('cancelled-future', '2026-12-20T08:00:00Z', 'CANCELLED'),
      ],
      now,
    );
    expect(upcoming.map((x) => x.id)).toEqual(['next', 'later']);
    // A cancelled hearing is not upcoming, even in the future.
    expect(past.map((x) => x.id)).toEqual(['cancelled-future', 'held', 'older']);
  });
  it('keeps a scheduled hearing whose time has passed (no outcome yet) with the past ones', () => {
    const { upcoming, past } = splitHearings([h('overdue', '2026-12-01T08:00:00Z')], now);
    expect(upcoming).toEqual([]);
    expect(past.map((x) => x.id)).toEqual(['overdue']);
  });
});

describe('currentProceeding', () => {
  it('is the latest ongoing stage, else the latest one, else none', () => {
    expect(currentProceeding([{ id: 'inquiry', status: 'CLOSED' }, { id: 'trial', status: 'ONGOING' }, { id: 'parallel', status: 'ONGOING' }])).toBe('parallel');
    expect(currentProceeding([{ id: 'inquiry', status: 'CLOSED' }, { id: 'trial', status: 'CLOSED' }])).toBe('trial');
    expect(currentProceeding([])).toBe('');
  });
});
