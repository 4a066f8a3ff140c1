import { describe, expect, it } from 'vitest';
import { addDays, monthBounds, parisDay, parisLocalInput, parisLocalToRfc3339, parisMidnight, weekStart } from './datetime';

describe('parisLocalToRfc3339', () => {
  it('uses +01:00 in winter', () => {
    expect(parisLocalToRfc3339('2026-12-01T09:30')).toBe('2026-12-01T09:30:00+01:00');
  });
  it('uses +02:00 in summer', () => {
    expect(parisLocalToRfc3339('2026-07-14T14:00')).toBe('2026-07-14T14:00:00+02:00');
  });
  it('names the same instant as Paris shows', () => {
    const s = parisLocalToRfc3339('2026-03-29T03:15')!;
    expect(s).toBe('2026-03-29T03:15:00+02:00');
    expect(new Date(s).toISOString()).toBe('2026-03-29T01:15:00.000Z');
  });
  it('refuses a time that does not exist (spring forward)', () => {
    expect(parisLocalToRfc3339('2026-03-29T02:30')).toBeNull();
  });
  it('takes the first occurrence of a repeated time (fall back)', () => {
    expect(parisLocalToRfc3339('2026-10-25T02:30')).toBe('2026-10-25T02:30:00+02:00');
    expect(parisLocalToRfc3339('2026-10-25T03:30')).toBe('2026-10-25T03:30:00+01:00');
  });
  it('handles the day before and after a change', () => {
    expect(parisLocalToRfc3339('2026-03-28T23:59')).toBe('2026-03-28T23:59:00+01:00');
    expect(parisLocalToRfc3339('2026-10-26T00:00')).toBe('2026-10-26T00:00:00+01:00');
  });
  it('accepts seconds and refuses nonsense', () => {
    expect(parisLocalToRfc3339('2026-12-01T09:30:15')).toBe('2026-12-01T09:30:15+01:00');
    expect(parisLocalToRfc3339('')).toBeNull();
    expect(parisLocalToRfc3339('2026-02-31T10:00')).toBeNull();
    expect(parisLocalToRfc3339('2026-12-01 25:00')).toBeNull();
  });
});

describe('calendar days', () => {
  it('gives the Paris day of an instant', () => {
    expect(parisDay('2026-12-01T23:30:00Z')).toBe('2026-12-02');
    expect(parisDay('2026-07-01T21:59:00Z')).toBe('2026-07-01');
  });
  it('moves and bounds days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekStart('2026-12-06')).toBe('2026-11-30'); // a Sunday → its Monday
    expect(weekStart('2026-11-30')).toBe('2026-11-30');
    expect(monthBounds('2026-12-15')).toEqual({ first: '2026-12-01', next: '2027-01-01' });
    expect(parisMidnight('2026-07-01')).toBe('2026-07-01T00:00:00+02:00');
  });
});

describe('parisLocalInput', () => {
  it('gives the Paris wall-clock time of an instant, to prefill a datetime-local field', () => {
    expect(parisLocalInput('2026-12-01T08:30:00Z')).toBe('2026-12-01T09:30');
    expect(parisLocalInput('2026-06-15T12:00:00Z')).toBe('2026-06-15T14:00');
    expect(parisLocalInput('2026-12-31T23:15:00Z')).toBe('2027-01-01T00:15');
    expect(parisLocalInput(null)).toBe('');
    expect(parisLocalInput('nonsense')).toBe('');
  });
});
