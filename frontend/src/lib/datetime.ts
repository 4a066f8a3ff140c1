// Dates and times as Égide shows them: hearings happen in French courts, so
// instants are always shown in Europe/Paris, whatever the browser's zone.
export const PARIS = 'Europe/Paris';

export type Lang = 'fr' | 'en';

const locale = (lang: Lang) => (lang === 'en' ? 'en-GB' : 'fr-FR');

/** An RFC 3339 instant as a date and time in Europe/Paris, e.g. "mardi 1 décembre 2026 à 09:30". */
export function formatDateTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: PARIS,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
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
  return new Intl.DateTimeFormat(locale(lang), { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

/** The window of the home page's hearings: from now to `days` days later, as RFC 3339 instants. */
export function upcomingWindow(now: Date, days = 30): { from: string; to: string } {
  const to = new Date(now.getTime() + days * 24 * 60 * 60 * 1000);
  return { from: now.toISOString(), to: to.toISOString() };
}
