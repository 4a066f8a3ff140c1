// Turning API errors into plain-language messages. The server answers
// GraphQL errors with extensions.code (NOT_FOUND, FORBIDDEN, INVALID,
// CONFLICT, UNAUTHENTICATED, RATE_LIMITED, INTERNAL) and, for invalid input,
// extensions.fields: [{field, message}] (README "API").
import type { TFunction } from 'i18next';
import { formatDate, type Lang } from '../lib/datetime';

export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID' | 'CONFLICT' | 'RATE_LIMITED' | 'INTERNAL';
const CODES: readonly string[] = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'INVALID', 'CONFLICT', 'RATE_LIMITED', 'INTERNAL'];

/** The parts of urql's CombinedError this module reads. */
export interface ApiErrorLike {
  networkError?: unknown;
  graphQLErrors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface FieldProblem {
  /** The input field as the API names it, e.g. "newPassword". */
  field: string;
  /** Its label in the current language. */
  label: string;
  /** What is wrong, in the current language. */
  message: string;
}

export interface DescribedError {
  code: ErrorCode | 'NETWORK' | 'UNKNOWN';
  message: string;
  fields: FieldProblem[];
}

/** The first error code of a GraphQL answer, if any. */
export function errorCode(err: ApiErrorLike | undefined | null): ErrorCode | undefined {
  for (const e of err?.graphQLErrors ?? []) {
    const c = e.extensions?.code;
    if (typeof c === 'string' && CODES.includes(c)) return c as ErrorCode;
  }
  return undefined;
}

/** Whether the answer says the session is missing or expired. */
export function isUnauthenticated(err: ApiErrorLike | undefined | null): boolean {
  return errorCode(err) === 'UNAUTHENTICATED';
}

// Server field messages (English, from internal/auth and the domains)
// mapped to translated ones; an unknown message is shown as the server wrote it.
const KNOWN_MESSAGES: [RegExp, string, (m: RegExpMatchArray) => Record<string, string>][] = [
  [/^must have at least (\d+) characters/, 'tooShort', (m) => ({ min: m[1] })],
  [/^must have at most \d+ (bytes|characters)/, 'tooLong', () => ({})],
  [/^is too common/, 'tooCommon', () => ({})],
  [/^this code does not match: check the time/, 'codeMismatch', () => ({})],
  [/^this code does not match or was already used/, 'codeUsed', () => ({})],
  [/^enter the current 6-digit code/, 'codeRequired', () => ({})],
  [/^is not your current password/, 'notCurrentPassword', () => ({})],
  [/^must differ from the current password/, 'mustDiffer', () => ({})],
  [/^is required$/, 'required', () => ({})],
  [/^a \S+ cannot hold the stage/, 'courtDoesNotFit', () => ({})],
  [/^must not be before the proceeding started \((\d{4}-\d{2}-\d{2})\)/, 'beforeStart', (m) => ({ date: day(m[1]) })],
  [/^must not be before the current stage ended \((\d{4}-\d{2}-\d{2})\)/, 'beforeEnd', (m) => ({ date: day(m[1]) })],
  [/^cannot go from /, 'stageNotAllowed', () => ({})],
  [/^the organisation does not rely on CPP ([\d-]+)/, 'basisNotRelied', (m) => ({ basis: m[1] })],
  [/^CPP 2-22 requires the consent/, 'consentRequired', () => ({})],
  [/^no such consent/, 'noSuchConsent', () => ({})],
  [/^this consent was withdrawn on (\d{4}-\d{2}-\d{2})/, 'consentWithdrawn', (m) => ({ date: day(m[1]) })],
  [/^this consent was given after the constitution date \((\d{4}-\d{2}-\d{2})\)/, 'consentAfter', (m) => ({ date: day(m[1]) })],
  [/^damages are awarded only when/, 'damagesOnlyAdmitted', () => ({})],
  [/^must not be before the constitution \((\d{4}-\d{2}-\d{2})\)/, 'beforeConstitution', (m) => ({ date: day(m[1]) })],
  [/^must not be negative/, 'negative', () => ({})],
  [/^must not be in the future/, 'future', () => ({})],
  [/^must not be before the date the consent was given/, 'beforeConsent', () => ({})],
  [/^another (victim|defendant) of this dossier already has this pseudonym/, 'pseudonymTaken', () => ({})],
  [/^must be an ISO 3166-1 alpha-2/, 'countryCode', () => ({})],
  [/^the dossier is closed/, 'dossierClosed', () => ({})],
  [/^may contain only digits/, 'phone', () => ({})],
  [/^is not an e-mail address/, 'emailFormat', () => ({})],
  [/^another account already uses this e-mail address/, 'emailTaken', () => ({})],
  [/^an administrator cannot also be legal staff or partner lawyer/, 'adminAndStaff', () => ({})],
  [/^you cannot assign yourself to a dossier/, 'ownAssignment', () => ({})],
  [/^you cannot share a dossier with an organisation you belong to/, 'ownShare', () => ({})],
  [/^must not contain control characters/, 'controlCharacters', () => ({})],
  [/^must be on one line/, 'oneLine', () => ({})],
  [/^must not contain bidirectional formatting characters/, 'bidi', () => ({})],
  [/^at most (\d+) entries/, 'tooManyEntries', (m) => ({ max: m[1] })],
  [/^entries must be one line of text/, 'entriesOneLine', () => ({})],
];

// CONFLICT messages that say what the conflict is, mapped to translated
// ones (errors.conflicts.*); any other conflict gets the generic message.
const KNOWN_CONFLICTS: [RegExp, string, (m: RegExpMatchArray) => Record<string, string>][] = [
  [/^the constitution was already withdrawn on (\d{4}-\d{2}-\d{2})/, 'standingAlreadyWithdrawn', (m) => ({ date: day(m[1]) })],
  [/^the constitution was withdrawn on (\d{4}-\d{2}-\d{2})/, 'standingWithdrawn', (m) => ({ date: day(m[1]) })],
];

// FORBIDDEN messages that name a separation-of-duties rule (docs/security.md),
// mapped to translated ones (errors.forbidden.*); any other refusal gets the
// generic message.
const KNOWN_FORBIDDEN: [RegExp, string][] = [
  [/^you cannot change your own roles/, 'ownRoles'],
  [/^you cannot assign yourself to a dossier/, 'ownAssignment'],
  [/^an administrator cannot also be legal staff or partner lawyer/, 'adminAndStaff'],
  [/^you cannot share a dossier with an organisation you belong to/, 'ownShare'],
];

function forbiddenMessage(err: ApiErrorLike, t: TFunction): string {
  for (const e of err.graphQLErrors ?? []) {
    if (e.extensions?.code !== 'FORBIDDEN') continue;
    for (const [re, key] of KNOWN_FORBIDDEN) {
      if (re.test(e.message)) return t(`errors.forbidden.${key}`);
    }
  }
  return t('errors.FORBIDDEN');
}

function conflictMessage(err: ApiErrorLike, t: TFunction): string {
  for (const e of err.graphQLErrors ?? []) {
    if (e.extensions?.code !== 'CONFLICT') continue;
    for (const [re, key, params] of KNOWN_CONFLICTS) {
      const m = e.message.match(re);
      if (m) return t(`errors.conflicts.${key}`, datesInWords(params(m), t));
    }
  }
  return t('errors.CONFLICT');
}

/** The seconds the server asked to wait (extensions.retryAfter, at least 1). */
function retryAfter(err: ApiErrorLike): number {
  for (const e of err.graphQLErrors ?? []) {
    const r = e.extensions?.retryAfter;
    if (typeof r === 'number' && r > 0) return Math.ceil(r);
  }
  return 1;
}

/** A date the server wrote (2025-03-01), kept as is until it is put in words (datesInWords). */
function day(iso: string): string {
  return iso;
}

/** The dates among a message's values in words, in the language of t: « 1er mars 2025 ». */
function datesInWords(params: Record<string, string>, t: TFunction): Record<string, string> {
  const lang: Lang = t('app.locale') === 'en' ? 'en' : 'fr';
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatDate(v, lang) : v]));
}

function fieldLabel(field: string, t: TFunction): string {
  // "input.newPassword" and "newPassword" name the same field; list items
  // ("themes[0]") are labelled by their list.
  const last = field.split('.').pop()!.replace(/\[\d+\]$/, '');
  const key = `errors.fields.${last}`;
  const label = t(key);
  return label === key ? last : label;
}

function fieldMessage(message: string, t: TFunction): string {
  for (const [re, key, params] of KNOWN_MESSAGES) {
    const m = message.match(re);
    if (m) return t(`errors.messages.${key}`, datesInWords(params(m), t));
  }
  return message || t('errors.messages.invalid');
}

/** A message for the whole error and one line per field it concerns. */
export function describeError(err: ApiErrorLike, t: TFunction): DescribedError {
  const code = errorCode(err);
  const fields: FieldProblem[] = [];
  for (const e of err.graphQLErrors ?? []) {
    const fs = e.extensions?.fields;
    if (!Array.isArray(fs)) continue;
    for (const f of fs) {
      if (typeof f !== 'object' || f === null || typeof (f as { field?: unknown }).field !== 'string') continue;
      const { field, message } = f as { field: string; message?: unknown };
      fields.push({ field, label: fieldLabel(field, t), message: fieldMessage(typeof message === 'string' ? message : '', t) });
    }
  }
  if (code === 'CONFLICT') return { code, message: conflictMessage(err, t), fields };
  if (code === 'FORBIDDEN') return { code, message: forbiddenMessage(err, t), fields };
  if (code === 'RATE_LIMITED') return { code, message: t('errors.RATE_LIMITED', { count: retryAfter(err) }), fields };
  if (code) return { code, message: t(`errors.${code}`), fields };
  if (err.networkError) return { code: 'NETWORK', message: t('errors.network'), fields };
  return { code: 'UNKNOWN', message: t('errors.unknown'), fields };
}

/** The problem concerning one input field, to show next to it. */
export function problemFor(d: DescribedError | null | undefined, field: string): FieldProblem | undefined {
  return d?.fields.find((f) => f.field === field || f.field.endsWith(`.${field}`));
}
