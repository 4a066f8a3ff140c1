import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatDayLong, formatTime, upcomingWindow } from './datetime';

describe('formatDateTime', () => {
  it('shows winter instants in Paris time (UTC+1)', () => {
    expect(formatDateTime('2026-12-01T08:30:00Z', 'fr')).toBe('mardi 1er décembre 2026 à 09:30');
  });
  it('shows summer instants in Paris time (UTC+2)', () => {
    expect(formatTime('2026-07-01T07:00:00Z', 'fr')).toBe('09:00');
  });
  it('ignores the offset the instant was written with', () => {
    expect(formatTime('2026-12-01T03:30:00-05:00', 'fr')).toBe('09:30');
  });
  it('moves to the next day in Paris when needed', () => {
    expect(formatDateTime('2026-03-28T23:30:00Z', 'fr')).toBe('dimanche 29 mars 2026 à 00:30');
  });
  it('handles the spring-forward night', () => {
    // 2026-03-29 01:00 UTC is 03:00 CEST (02:00 local does not exist).
    expect(formatTime('2026-03-29T01:00:00Z', 'fr')).toBe('03:00');
  });
  it('formats in English', () => {
    expect(formatDateTime('2026-12-01T08:30:00Z', 'en')).toBe('Tuesday, 1 December 2026 at 09:30');
  });
  it('returns unparsable input unchanged', () => {
    expect(formatDateTime('not a date', 'fr')).toBe('not a date');
  });
});

describe('formatDate', () => {
  it('keeps the calendar day whatever the zone', () => {
    expect(formatDate('2026-01-01', 'fr')).toBe('1er janvier 2026');
    expect(formatDate('2026-12-31', 'en')).toBe('31 December 2026');
  });
  it('writes the first of a month « 1er » in French, and only the first', () => {
    expect(formatDate('2026-10-01', 'fr')).toBe('1er octobre 2026');
    expect(formatDate('2026-10-11', 'fr')).toBe('11 octobre 2026');
    expect(formatDate('2026-10-21', 'fr')).toBe('21 octobre 2026');
    expect(formatDate('2026-10-31', 'fr')).toBe('31 octobre 2026');
    expect(formatDate('2026-10-01', 'en')).toBe('1 October 2026');
    expect(formatDayLong('2026-10-01', 'fr')).toBe('jeudi 1er octobre 2026');
    expect(formatDayLong('2026-10-02', 'fr')).toBe('vendredi 2 octobre 2026');
    expect(formatDateTime('2026-09-30T22:30:00Z', 'fr')).toBe('jeudi 1er octobre 2026 à 00:30');
  });
  it('is empty for a missing date', () => {
    expect(formatDate(null, 'fr')).toBe('');
  });
});

describe('upcomingWindow', () => {
  it('spans 30 days from now', () => {
    const w = upcomingWindow(new Date('2026-12-01T10:00:00Z'));
    expect(w).toEqual({ from: '2026-12-01T10:00:00.000Z', to: '2026-12-31T10:00:00.000Z' });
  });
});
