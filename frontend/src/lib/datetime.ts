// Dates and times as Égide shows them: hearings happen in French courts, so
// instants are always shown in Europe/Paris, whatever the browser's zone.
export const PARIS = 'Europe/Paris';

export type Lang = 'fr' | 'en';

const locale = (lang: Lang) => (lang === 'en' ? 'en-GB' : 'fr-FR');

/**
 * Formats with the options, writing the first of a month "1er" in French
 * ("1er octobre 2026", "jeudi 1er octobre 2026 à 10:30"), as French usage
 * wants and Intl does not do.
 */
function format(d: Date, lang: Lang, options: Intl.DateTimeFormatOptions): string {
  const parts = new Intl.DateTimeFormat(locale(lang), options).formatToParts(d);
  return parts.map((p) => (lang === 'fr' && p.type === 'day' && Number(p.value) === 1 ? '1er' : p.value)).join('');
}

/** An RFC 3339 instant as a date and time in Europe/Paris, e.g. "mardi 1er décembre 2026 à 09:30". */
export function formatDateTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return format(d, lang, {
    timeZone: PARIS,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** An RFC 3339 instant as a time of day in Europe/Paris, e.g. "09:30". */
export function formatTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { timeZone: PARIS, hour: '2-digit', minute: '2-digit' }).format(d);
}

/**
 * A calendar date (YYYY-MM-DD, no zone) in words. It is formatted as noon
 * UTC shown in UTC so no time zone can move it to the previous or next day.
 */
export function formatDate(date: string | null | undefined, lang: Lang): string {
  if (!date) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  return format(d, lang, { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
}

/** The window of the home page's hearings: from now to `days` days later, as RFC 3339 instants. */
export function upcomingWindow(now: Date, days = 30): { from: string; to: string } {
  const to = new Date(now.getTime() + days * 24 * 60 * 60 * 1000);
  return { from: now.toISOString(), to: to.toISOString() };
}

const PARIS_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: PARIS,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** The wall-clock fields of an instant in Europe/Paris. */
function parisFields(ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const p = PARIS_PARTS.formatToParts(new Date(ms));
  const get = (t: string) => Number(p.find((x) => x.type === t)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** Europe/Paris's offset from UTC at an instant, in minutes (60 in winter, 120 in summer). */
export function parisOffsetMinutes(ms: number): number {
  const f = parisFields(ms);
  const asUtc = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

function offsetText(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * A date and time typed in Europe/Paris (a datetime-local value,
 * "2026-12-01T09:30") as an RFC 3339 instant with Paris's offset at that
 * moment ("2026-12-01T09:30:00+01:00"). A time that does not exist in Paris
 * (the spring-forward hour) gives null; one that happens twice (the
 * fall-back hour) is taken at its first occurrence (summer time).
 */
export function parisLocalToRfc3339(local: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const naive = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(naive).getUTCDate() !== d) return null; // 31 February and the like
  const candidates = [...new Set([parisOffsetMinutes(naive - 12 * 3600_000), parisOffsetMinutes(naive + 12 * 3600_000)])];
  const valid = candidates.filter((off) => parisOffsetMinutes(naive - off * 60_000) === off).sort((a, b) => b - a);
  if (valid.length === 0) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${pad(s)}${offsetText(valid[0])}`;
}

/** The calendar day (YYYY-MM-DD) of an instant in Europe/Paris. */
export function parisDay(iso: string | number | Date): string {
  const ms = iso instanceof Date ? iso.getTime() : typeof iso === 'number' ? iso : new Date(iso).getTime();
  const f = parisFields(ms);
  return `${f.y}-${String(f.mo).padStart(2, '0')}-${String(f.d).padStart(2, '0')}`;
}

/** An instant as a datetime-local value in Europe/Paris ("2026-12-01T09:30"), to prefill a form; '' when invalid. */
export function parisLocalInput(iso: string | null | undefined): string {
  const ms = iso ? new Date(iso).getTime() : NaN;
  if (Number.isNaN(ms)) return '';
  const f = parisFields(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${f.y}-${pad(f.mo)}-${pad(f.d)}T${pad(f.h)}:${pad(f.mi)}`;
}

/** Midnight in Paris starting a calendar day, as an RFC 3339 instant. */
export function parisMidnight(day: string): string {
  return parisLocalToRfc3339(`${day}T00:00`) ?? `${day}T00:00:00Z`;
}

/** A calendar day moved by n days (pure date arithmetic, no zone). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Monday (ISO week start) of the week containing a day. */
export function weekStart(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const dow = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(day, -dow);
}

/** The first day of the month of a day, and of the next month. */
export function monthBounds(day: string): { first: string; next: string } {
  const [y, m] = day.split('-').map(Number);
  const first = `${y}-${String(m).padStart(2, '0')}-01`;
  const n = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  return { first, next: n };
}

/** A month's name and year, e.g. "décembre 2026". */
export function formatMonth(day: string, lang: Lang): string {
  const [y, m] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(lang), { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, 1, 12)));
}

/** A day with its weekday, e.g. "mardi 1er décembre 2026". */
export function formatDayLong(day: string, lang: Lang): string {
  const [y, m, d] = day.split('-').map(Number);
  return format(new Date(Date.UTC(y, m - 1, d, 12)), lang, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

/** Short weekday names starting Monday. */
export function weekdayNames(lang: Lang): string[] {
  const f = new Intl.DateTimeFormat(locale(lang), { timeZone: 'UTC', weekday: 'short' });
  return [0, 1, 2, 3, 4, 5, 6].map((i) => f.format(new Date(Date.UTC(2024, 0, 1 + i, 12)))); // 2024-01-01 is a Monday
}
