import { describe, expect, it } from 'vitest';
import { byDay, calendarRange } from './Calendar';

describe('calendarRange', () => {
  it('covers whole weeks around a month, from Paris midnight', () => {
    const r = calendarRange('month', '2026-12-15');
    expect(r.days[0]).toBe('2026-11-30');
    expect(r.days.length % 7).toBe(0);
    expect(r.days[r.days.length - 1]).toBe('2027-01-03');
    expect(r.from).toBe('2026-11-30T00:00:00+01:00');
    expect(r.to).toBe('2027-01-04T00:00:00+01:00');
  });
  it('gives a Monday-to-Sunday week across a time change', () => {
    const r = calendarRange('week', '2026-03-29');
    expect(r.days).toEqual(['2026-03-23', '2026-03-24', '2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29']);
    expect(r.to).toBe('2026-03-30T00:00:00+02:00');
  });
  it('lists one month', () => {
    const r = calendarRange('list', '2026-07-04');
    expect(r.from).toBe('2026-07-01T00:00:00+02:00');
    expect(r.to).toBe('2026-08-01T00:00:00+02:00');
  });
});

describe('byDay', () => {
  it('groups by the day in Paris', () => {
    const g = byDay([{ startsAt: '2026-12-01T23:30:00Z' }, { startsAt: '2026-12-02T08:00:00+01:00' }, { startsAt: '2026-12-01T10:00:00Z' }]);
    expect([...g.entries()]).toEqual([['2026-12-02', [0, 1]], ['2026-12-01', [2]]]);
  });
});
