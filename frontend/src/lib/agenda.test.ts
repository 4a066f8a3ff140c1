import { describe, expect, it } from 'vitest';
import { daysUntil, deadlineName, dueSoon, mergeByDay } from './agenda';

describe('agenda', () => {
  it('counts calendar days, across months and the DST change', () => {
    expect(daysUntil('2026-12-04', '2026-12-04')).toBe(0);
    expect(daysUntil('2026-12-07', '2026-12-04')).toBe(3);
    expect(daysUntil('2027-01-02', '2026-12-30')).toBe(3);
    expect(daysUntil('2026-03-30', '2026-03-28')).toBe(2);
    expect(daysUntil('2026-12-01', '2026-12-04')).toBe(-3);
  });
  it('marks what is due within three days', () => {
    expect(dueSoon('2026-12-04', '2026-12-04')).toBe(true);
    expect(dueSoon('2026-12-07', '2026-12-04')).toBe(true);
    expect(dueSoon('2026-12-08', '2026-12-04')).toBe(false);
    expect(dueSoon('2026-12-03', '2026-12-04')).toBe(false);
  });
  it('names a deadline by its title, else its rule', () => {
    expect(deadlineName({ title: 'Conclusions', rule: null })).toBe('Conclusions');
    expect(deadlineName({ title: '', rule: { title: 'Pourvoi en cassation' } })).toBe('Pourvoi en cassation');
  });
  it('merges hearings and deadlines by day in Paris, deadlines first', () => {
    const hearings = [
      { startsAt: '2026-12-07T08:00:00Z' }, // 09:00 in Paris
      { startsAt: '2026-12-07T23:30:00Z' }, // 00:30 on the 8th in Paris
      { startsAt: '2026-12-09T13:00:00Z' },
    ];
    const deadlines = [{ dueOn: '2026-12-07' }, { dueOn: '2026-12-10' }, { dueOn: '2026-12-07' }];
    const m = mergeByDay(hearings, deadlines);
    expect(m.get('2026-12-07')).toEqual([
      { type: 'deadline', index: 0 },
      { type: 'deadline', index: 2 },
      { type: 'hearing', index: 0 },
    ]);
    expect(m.get('2026-12-08')).toEqual([{ type: 'hearing', index: 1 }]);
    expect(m.get('2026-12-10')).toEqual([{ type: 'deadline', index: 1 }]);
    expect([...m.keys()].sort()).toEqual(['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10']);
  });
});
