// Small helpers shared by the forms: lists typed as text, client-side checks
// reported the same way as the API's (a DescribedError with fields), and
// optional values.
import type { TFunction } from 'i18next';
import type { DescribedError, FieldProblem } from '../api/errors';

/** "Facebook, Telegram ,," → ["Facebook", "Telegram"]. */
export function splitList(s: string): string[] {
  return s
    .split(/[,;\n]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** An empty text as null (the API treats null as "not given"). */
export function orNull(s: string): string | null {
  const v = s.trim();
  return v ? v : null;
}

/** Problems found before sending: field → translation key of the message. */
export type Problems = Record<string, string>;

/** Client-side problems as an INVALID error, so they show like the server's. */
export function localError(problems: Problems, t: TFunction | ((key: string) => string)): DescribedError | null {
  const fields: FieldProblem[] = Object.entries(problems).map(([field, key]) => {
    const lk = `errors.fields.${field}`;
    const tr = t as (key: string) => string;
    const label = tr(lk);
    return { field, label: label === lk ? field : label, message: tr(key) };
  });
  return fields.length ? { code: 'INVALID', message: (t as (key: string) => string)('errors.INVALID'), fields } : null;
}

/** The checks of the dossier form (the server checks again). */
export function checkDossier(v: { reference: string; title: string; themes: string[]; countries: readonly string[] }): Problems {
  const p: Problems = {};
  if (!v.reference.trim()) p.reference = 'forms.required';
  else if (v.reference.trim().length > 64) p.reference = 'forms.tooLong';
  if (!v.title.trim()) p.title = 'forms.required';
  else if (v.title.trim().length > 300) p.title = 'forms.tooLong';
  if (v.themes.length === 0) p.themes = 'forms.oneTheme';
  if (v.countries.some((c) => !/^[A-Z]{2}$/.test(c))) p.countries = 'forms.countryCodes';
  return p;
}

/** An age at the facts, 0–17, or null when empty; undefined when invalid. */
export function parseAge(s: string): number | null | undefined {
  if (!s.trim()) return null;
  if (!/^\d{1,2}$/.test(s.trim())) return undefined;
  const n = Number(s.trim());
  return n <= 17 ? n : undefined;
}
