// The agenda: deadlines (échéances) as the home page and the calendar show
// them — what a deadline is called, whether it is close, and their place
// among the hearings of a day.
import { parisDay } from './datetime';

/** Days from calendar day `today` to calendar day `due` (YYYY-MM-DD); negative when past. */
export function daysUntil(due: string, today: string): number {
  const ms = (d: string) => {
    const [y, m, dd] = d.split('-').map(Number);
    return Date.UTC(y, m - 1, dd);
  };
  return Math.round((ms(due) - ms(today)) / 86_400_000);
}

/** A deadline due today or within `days` days (3 by default) deserves a badge. */
export function dueSoon(due: string, today: string, days = 3): boolean {
  const n = daysUntil(due, today);
  return n >= 0 && n <= days;
}

/** What a deadline is called: its rule's title, or the title of a manual one (or a catalogue date set by the court). */
export function deadlineName(d: { title: string; rule?: { title: string } | null }): string {
  return d.title || d.rule?.title || '';
}

export type DayItem = { type: 'hearing'; index: number } | { type: 'deadline'; index: number };

/**
 * Hearings and deadlines grouped by their day in Paris: a day's deadlines
 * first (they fall due at the end of the day, but are what must not be
 * missed), then its hearings in the order given (by start time).
 */
export function mergeByDay(hearings: { startsAt: string }[], deadlines: { dueOn: string }[]): Map<string, DayItem[]> {
  const m = new Map<string, DayItem[]>();
  const push = (k: string, it: DayItem) => {
    const l = m.get(k);
    if (l) l.push(it);
    else m.set(k, [it]);
  };
  deadlines.forEach((d, index) => push(d.dueOn, { type: 'deadline', index }));
  hearings.forEach((h, index) => push(parisDay(h.startsAt), { type: 'hearing', index }));
  return m;
}
