// The rules of proceedings the forms follow (graph/schema/proceeding.graphqls;
// internal/proceeding checks them again): which stage may follow which,
// which court may hold a stage, and the checks of the proceeding and
// civil-party forms.
import type { Problems } from './forms';

export const STAGES = ['PRELIMINARY_INQUIRY', 'JUDICIAL_INVESTIGATION', 'TRIAL', 'APPEAL', 'CASSATION'] as const;
export type Stage = (typeof STAGES)[number];

export const COURT_KINDS = [
  'PARQUET',
  'JUGE_INSTRUCTION',
  'TRIBUNAL_CORRECTIONNEL',
  'COUR_CRIMINELLE_DEPARTEMENTALE',
  'COUR_ASSISES',
  'TRIBUNAL_POUR_ENFANTS',
  'COUR_APPEL',
  'COUR_ASSISES_APPEL',
  'COUR_CASSATION',
] as const;
export type CourtKind = (typeof COURT_KINDS)[number];

export const STANDING_MODES = ['COMPLAINT', 'INTERVENTION', 'HEARING_DECLARATION', 'LETTER'] as const;
export type StandingMode = (typeof STANDING_MODES)[number];
export const DECISIONS = ['ADMITTED', 'REJECTED'] as const;
export type Admissibility = 'PENDING' | (typeof DECISIONS)[number];
export const LEGAL_BASES = ['CPP 2-3', 'CPP 2-22'] as const;
/** The legal basis that needs a victim's consent. */
export const CONSENT_BASIS = 'CPP 2-22';

/**
 * The article number of a legal basis as the API writes it ("CPP 2-22" →
 * "2-22"), for « article 2-22 du Code de procédure pénale »: the code is
 * named once, in words, by the sentence around it.
 */
export function basisArticle(basis: string): string {
  return basis.replace(/^CPP\s+/i, '').trim();
}

/**
 * The modes of constitution that fit a stage (the API accepts any; the
 * form offers these, the usual first):
 * - before an investigation, a complaint with civil-party constitution to
 *   the senior investigating judge (art. 85 CPP);
 * - during the investigation, by intervention (art. 87), or the complaint
 *   that opened it;
 * - at trial, by letter received before the hearing (art. 420-1) or by
 *   declaration at the hearing (art. 418 and 419);
 * - on appeal, the same means for the organisation already civil party at
 *   first instance (a first constitution on appeal is not admissible);
 * - none before the Cour de cassation.
 */
const MODES: Record<Stage, readonly StandingMode[]> = {
  PRELIMINARY_INQUIRY: ['COMPLAINT'],
  JUDICIAL_INVESTIGATION: ['INTERVENTION', 'COMPLAINT'],
  TRIAL: ['LETTER', 'HEARING_DECLARATION'],
  APPEAL: ['LETTER', 'HEARING_DECLARATION'],
  CASSATION: [],
};

export function standingModesFor(stage: string): readonly StandingMode[] {
  return MODES[stage as Stage] ?? STANDING_MODES;
}
export const CONSENT_GIVERS = ['VICTIM', 'LEGAL_REPRESENTATIVE', 'AD_HOC_ADMINISTRATOR'] as const;

/**
 * The stages advanceProceeding accepts after a stage (the schema's comment):
 * inquiry → investigation or trial; investigation → trial; trial → appeal or
 * cassation; appeal → cassation; cassation → trial or appeal (referral after quashing).
 */
const NEXT: Record<Stage, readonly Stage[]> = {
  PRELIMINARY_INQUIRY: ['JUDICIAL_INVESTIGATION', 'TRIAL'],
  JUDICIAL_INVESTIGATION: ['TRIAL'],
  TRIAL: ['APPEAL', 'CASSATION'],
  APPEAL: ['CASSATION'],
  CASSATION: ['TRIAL', 'APPEAL'],
};

export function nextStages(s: string): readonly Stage[] {
  return NEXT[s as Stage] ?? [];
}

/** The courts that may hold a stage. */
const COURTS: Record<Stage, readonly CourtKind[]> = {
  PRELIMINARY_INQUIRY: ['PARQUET'],
  JUDICIAL_INVESTIGATION: ['JUGE_INSTRUCTION'],
  TRIAL: ['TRIBUNAL_CORRECTIONNEL', 'COUR_CRIMINELLE_DEPARTEMENTALE', 'COUR_ASSISES', 'TRIBUNAL_POUR_ENFANTS'],
  APPEAL: ['COUR_APPEL', 'COUR_ASSISES_APPEL'],
  CASSATION: ['COUR_CASSATION'],
};

export function courtKindsFor(s: string): readonly CourtKind[] {
  return COURTS[s as Stage] ?? [];
}

/** The court kind to keep when the stage changes: the current one if it fits, else the stage's first. */
export function fittingCourt(stage: string, current: string): string {
  const kinds = courtKindsFor(stage);
  return kinds.includes(current as CourtKind) ? current : (kinds[0] ?? '');
}

/**
 * Proceedings in the order they happened (the API lists the newest first):
 * by start date, a stage before the one that follows it on the same day.
 */
export function chronological<P extends { id: string; startedOn: string; previous?: { id: string } | null }>(ps: readonly P[]): P[] {
  const depth = (p: P): number => {
    let n = 0;
    let cur: P | undefined = p;
    const seen = new Set<string>();
    while (cur?.previous && !seen.has(cur.id)) {
      seen.add(cur.id);
      n++;
      const prevId: string = cur.previous.id;
      cur = ps.find((x) => x.id === prevId);
    }
    return n;
  };
  return [...ps].sort((a, b) => (a.startedOn < b.startedOn ? -1 : a.startedOn > b.startedOn ? 1 : depth(a) - depth(b)));
}

/** Whether a text is a date (YYYY-MM-DD) a date input gives. */
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** The text fields of a court (open, advance, update). */
function checkCourtText(v: { courtName: string; chamber: string; docketNumber: string }, p: Problems) {
  if (v.courtName.trim().length > 200) p.courtName = 'forms.tooLong';
  if (v.chamber.trim().length > 200) p.chamber = 'forms.tooLong';
  if (v.docketNumber.trim().length > 64) p.docketNumber = 'forms.tooLong';
}

export interface OpenValues {
  stage: string;
  courtKind: string;
  courtName: string;
  chamber: string;
  docketNumber: string;
  startedOn: string;
}

export function checkOpen(v: OpenValues): Problems {
  const p: Problems = {};
  if (!STAGES.includes(v.stage as Stage)) p.stage = 'forms.required';
  if (!courtKindsFor(v.stage).includes(v.courtKind as CourtKind)) p.courtKind = 'proceeding.courtDoesNotFit';
  checkCourtText(v, p);
  if (!isDay(v.startedOn)) p.startedOn = 'forms.required';
  return p;
}

export function checkUpdate(v: { courtName: string; chamber: string; docketNumber: string }): Problems {
  const p: Problems = {};
  checkCourtText(v, p);
  return p;
}

export function checkClose(v: { endedOn: string; outcome: string }, startedOn: string): Problems {
  const p: Problems = {};
  if (!isDay(v.endedOn)) p.endedOn = 'forms.required';
  else if (v.endedOn < startedOn) p.endedOn = 'proceeding.endBeforeStart';
  if (!v.outcome.trim()) p.outcome = 'forms.required';
  else if (v.outcome.trim().length > 4000) p.outcome = 'forms.tooLong';
  return p;
}

export interface AdvanceValues extends OpenValues {
  endedOn: string;
  outcome: string;
}

/** The checks of "advance to the next stage": the current stage's end, then the next stage, allowed after `from`. */
export function checkAdvance(v: AdvanceValues, from: { stage: string; startedOn: string }): Problems {
  const p: Problems = { ...checkClose(v, from.startedOn), ...checkOpen(v) };
  if (!nextStages(from.stage).includes(v.stage as Stage)) p.stage = 'proceeding.stageNotAllowed';
  if (isDay(v.endedOn) && isDay(v.startedOn) && v.startedOn < v.endedOn) p.startedOn = 'proceeding.nextBeforeEnd';
  return p;
}

/**
 * An amount typed in euros ("1 500,50", "1500.5", "1 500 €") as euro cents;
 * null when empty, undefined when it is not an amount.
 */
export function parseEuros(s: string): number | null | undefined {
  const v = s.replace(/[\s\u00a0\u202f€]/g, '');
  if (!v) return null;
  const m = /^(\d{1,10})(?:[.,](\d{1,2}))?$/.exec(v);
  if (!m) return undefined;
  const cents = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return cents <= 2_147_483_647 ? cents : undefined; // a GraphQL Int
}

/** Euro cents as an amount, e.g. "1 500,50 €". */
export function formatEuros(cents: number | null | undefined, lang: 'fr' | 'en'): string {
  if (cents == null) return '';
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}

export interface ConstituteValues {
  constitutedOn: string;
  mode: string;
  legalBasis: string;
  consentId: string;
  damagesClaimed: string;
}

export function checkConstitute(v: ConstituteValues): Problems {
  const p: Problems = {};
  if (!isDay(v.constitutedOn)) p.constitutedOn = 'forms.required';
  if (!STANDING_MODES.includes(v.mode as StandingMode)) p.mode = 'forms.required';
  if (!v.legalBasis) p.legalBasis = 'forms.required';
  if (v.legalBasis === CONSENT_BASIS && !v.consentId) p.consentId = 'standing.consentRequired';
  if (parseEuros(v.damagesClaimed) === undefined) p.damagesClaimedCents = 'standing.badAmount';
  return p;
}

export function checkDecide(v: { admissibility: string; decidedOn: string; damagesAwarded: string }, constitutedOn: string): Problems {
  const p: Problems = {};
  if (!DECISIONS.includes(v.admissibility as (typeof DECISIONS)[number])) p.admissibility = 'forms.required';
  if (!isDay(v.decidedOn)) p.decidedOn = 'forms.required';
  else if (v.decidedOn < constitutedOn) p.decidedOn = 'standing.decidedBeforeConstituted';
  const awarded = parseEuros(v.damagesAwarded);
  if (awarded === undefined) p.damagesAwardedCents = 'standing.badAmount';
  else if (awarded !== null && v.admissibility !== 'ADMITTED') p.damagesAwardedCents = 'standing.damagesOnlyAdmitted';
  return p;
}

/** What the caller may do with a standing: record the court's decision
 * (pending, not withdrawn) and withdraw (not yet withdrawn). Only the
 * organisation's own standing, and only with case:write. */
export function standingActions(
  s: { admissibility: string; withdrawnOn?: string | null },
  mine: boolean,
  canWrite: boolean,
): { decide: boolean; withdraw: boolean } {
  const own = canWrite && mine && !s.withdrawnOn;
  return { decide: own && s.admissibility === 'PENDING', withdraw: own };
}

export function checkWithdraw(v: { withdrawnOn: string }, constitutedOn: string): Problems {
  const p: Problems = {};
  if (!isDay(v.withdrawnOn)) p.withdrawnOn = 'forms.required';
  else if (v.withdrawnOn < constitutedOn) p.withdrawnOn = 'standing.withdrawnBeforeConstituted';
  return p;
}
