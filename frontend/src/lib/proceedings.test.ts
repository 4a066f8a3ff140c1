import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n';
import {
  basisArticle,
  COURT_KINDS,
  STANDING_MODES,
  standingModesFor,
  checkAdvance,
  checkClose,
  checkConstitute,
  checkDecide,
  checkOpen,
  checkWithdraw,
  chronological,
  courtKindsFor,
  fittingCourt,
  formatEuros,
  nextStages,
  parseEuros,
  STAGES,
  standingActions,
} from './proceedings';

describe('stage transitions', () => {
  it('offer only what the schema allows', () => {
    expect(nextStages('PRELIMINARY_INQUIRY')).toEqual(['JUDICIAL_INVESTIGATION', 'TRIAL']);
    expect(nextStages('JUDICIAL_INVESTIGATION')).toEqual(['TRIAL']);
    expect(nextStages('TRIAL')).toEqual(['APPEAL', 'CASSATION']);
    expect(nextStages('APPEAL')).toEqual(['CASSATION']);
    expect(nextStages('CASSATION')).toEqual(['TRIAL', 'APPEAL']);
    expect(nextStages('SOMETHING')).toEqual([]);
  });
  it('never offer going back to an inquiry or staying at the same stage', () => {
    for (const s of STAGES) {
      expect(nextStages(s)).not.toContain('PRELIMINARY_INQUIRY');
      expect(nextStages(s)).not.toContain(s);
    }
  });
});

describe('courts', () => {
  it('fit their stage', () => {
    expect(courtKindsFor('PRELIMINARY_INQUIRY')).toEqual(['PARQUET']);
    expect(courtKindsFor('TRIAL')).toContain('TRIBUNAL_POUR_ENFANTS');
    expect(courtKindsFor('APPEAL')).toEqual(['COUR_APPEL', 'COUR_ASSISES_APPEL']);
    expect(courtKindsFor('')).toEqual([]);
  });
  it('keep the chosen court when it still fits, else take the stage’s first', () => {
    expect(fittingCourt('TRIAL', 'COUR_ASSISES')).toBe('COUR_ASSISES');
    expect(fittingCourt('APPEAL', 'COUR_ASSISES')).toBe('COUR_APPEL');
    expect(fittingCourt('CASSATION', '')).toBe('COUR_CASSATION');
  });
});

describe('chronological', () => {
  it('orders by start, a stage before its next on the same day', () => {
    const a = { id: 'a', startedOn: '2024-01-10', previous: null };
    const b = { id: 'b', startedOn: '2025-03-01', previous: { id: 'a' } };
    const c = { id: 'c', startedOn: '2025-03-01', previous: { id: 'b' } };
    expect(chronological([c, b, a]).map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(chronological([b, c, a]).map((p) => p.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('proceeding forms', () => {
  const open = { stage: 'TRIAL', courtKind: 'TRIBUNAL_CORRECTIONNEL', courtName: 'Tribunal judiciaire de Paris', chamber: '', docketNumber: '', startedOn: '2025-01-02' };
  it('check opening', () => {
    expect(checkOpen(open)).toEqual({});
    expect(checkOpen({ ...open, courtKind: 'PARQUET', startedOn: '' })).toEqual({ courtKind: 'proceeding.courtDoesNotFit', startedOn: 'forms.required' });
    expect(checkOpen({ ...open, docketNumber: 'x'.repeat(65) })).toEqual({ docketNumber: 'forms.tooLong' });
  });
  it('check closing', () => {
    expect(checkClose({ endedOn: '2025-02-01', outcome: 'Relaxe' }, '2025-01-02')).toEqual({});
    expect(checkClose({ endedOn: '2024-12-31', outcome: ' ' }, '2025-01-02')).toEqual({ endedOn: 'proceeding.endBeforeStart', outcome: 'forms.required' });
  });
  it('check advancing: an allowed next stage, starting after the end', () => {
    const from = { stage: 'PRELIMINARY_INQUIRY', startedOn: '2024-01-01' };
    const v = { ...open, endedOn: '2024-12-20', outcome: 'Renvoi devant le tribunal', startedOn: '2024-12-20' };
    expect(checkAdvance(v, from)).toEqual({});
    expect(checkAdvance({ ...v, stage: 'APPEAL', courtKind: 'COUR_APPEL' }, from)).toEqual({ stage: 'proceeding.stageNotAllowed' });
    expect(checkAdvance({ ...v, startedOn: '2024-12-19' }, from)).toEqual({ startedOn: 'proceeding.nextBeforeEnd' });
  });
});

describe('amounts', () => {
  it('parse euros as cents', () => {
    expect(parseEuros('')).toBeNull();
    expect(parseEuros('1 500,50 €')).toBe(150050);
    expect(parseEuros('1500.5')).toBe(150050);
    expect(parseEuros('12')).toBe(1200);
    expect(parseEuros('-3')).toBeUndefined();
    expect(parseEuros('1,234')).toBeUndefined();
    expect(parseEuros('abc')).toBeUndefined();
    expect(parseEuros('99999999999')).toBeUndefined();
  });
  it('format cents in euros', () => {
    expect(formatEuros(150050, 'fr').replace(/\s/g, ' ')).toBe('1 500,50 €');
    expect(formatEuros(150050, 'en')).toBe('€1,500.50');
    expect(formatEuros(null, 'fr')).toBe('');
  });
});

describe('civil-party forms', () => {
  const c = { constitutedOn: '2025-01-05', mode: 'LETTER', legalBasis: 'CPP 2-3', consentId: '', damagesClaimed: '' };
  it('check constituting: CPP 2-22 needs a consent', () => {
    expect(checkConstitute(c)).toEqual({});
    expect(checkConstitute({ ...c, legalBasis: 'CPP 2-22' })).toEqual({ consentId: 'standing.consentRequired' });
    expect(checkConstitute({ ...c, constitutedOn: '', damagesClaimed: 'beaucoup' })).toEqual({ constitutedOn: 'forms.required', damagesClaimedCents: 'standing.badAmount' });
  });
  it('check the decision: damages only when admitted, not before the constitution', () => {
    expect(checkDecide({ admissibility: 'ADMITTED', decidedOn: '2025-06-01', damagesAwarded: '1000' }, '2025-01-05')).toEqual({});
    expect(checkDecide({ admissibility: 'REJECTED', decidedOn: '2025-01-04', damagesAwarded: '10' }, '2025-01-05')).toEqual({
      decidedOn: 'standing.decidedBeforeConstituted',
      damagesAwardedCents: 'standing.damagesOnlyAdmitted',
    });
    expect(checkDecide({ admissibility: '', decidedOn: '', damagesAwarded: '' }, '2025-01-05')).toEqual({ admissibility: 'forms.required', decidedOn: 'forms.required' });
  });
});

describe('standing actions', () => {
  const pending = { admissibility: 'PENDING', withdrawnOn: null };
  it('offers deciding and withdrawing on the organisation’s own standing to case:write', () => {
    expect(standingActions(pending, true, true)).toEqual({ decide: true, withdraw: true });
    expect(standingActions({ admissibility: 'ADMITTED', withdrawnOn: null }, true, true)).toEqual({ decide: false, withdraw: true });
  });
  it('offers nothing on a withdrawn standing, another organisation’s, or without case:write', () => {
    expect(standingActions({ admissibility: 'PENDING', withdrawnOn: '2025-04-01' }, true, true)).toEqual({ decide: false, withdraw: false });
    expect(standingActions(pending, false, true)).toEqual({ decide: false, withdraw: false });
    expect(standingActions(pending, true, false)).toEqual({ decide: false, withdraw: false });
  });
  it('checks the withdrawal date', () => {
    expect(checkWithdraw({ withdrawnOn: '2025-04-01' }, '2025-03-10')).toEqual({});
    expect(checkWithdraw({ withdrawnOn: '2025-03-10' }, '2025-03-10')).toEqual({});
    expect(checkWithdraw({ withdrawnOn: '' }, '2025-03-10')).toEqual({ withdrawnOn: 'forms.required' });
    expect(checkWithdraw({ withdrawnOn: '2025-03-09' }, '2025-03-10')).toEqual({ withdrawnOn: 'standing.withdrawnBeforeConstituted' });
  });
});

describe('legal bases and modes of constitution, in legal French', () => {
  it('name the article once, the code in words by the sentence', () => {
    expect(basisArticle('CPP 2-22')).toBe('2-22');
    expect(basisArticle('CPP 2-3')).toBe('2-3');
    const i = createI18n('fr');
    expect(i.t('standing.basisOption', { basis: basisArticle('CPP 2-22') })).toBe('Article 2-22 du Code de procédure pénale');
    const line = i.t('standing.constituted', { date: '1er octobre 2026', mode: i.t('enums.StandingMode.LETTER'), basis: basisArticle('CPP 2-3') });
    expect(line).toBe('Constituée le 1er octobre 2026 (lettre avant l’audience), sur le fondement de l’article 2-3 du Code de procédure pénale.');
    expect(line).not.toContain('CPP');
  });
  it('offer only the modes that fit the stage', () => {
    expect(standingModesFor('PRELIMINARY_INQUIRY')).toEqual(['COMPLAINT']);
    expect(standingModesFor('JUDICIAL_INVESTIGATION')).toEqual(['INTERVENTION', 'COMPLAINT']);
    expect(standingModesFor('TRIAL')).toEqual(['LETTER', 'HEARING_DECLARATION']);
    expect(standingModesFor('APPEAL')).toEqual(['LETTER', 'HEARING_DECLARATION']);
    expect(standingModesFor('CASSATION')).toEqual([]);
    for (const s of STAGES) for (const m of standingModesFor(s)) expect(STANDING_MODES).toContain(m);
  });
  it('hint a court name fitting each court, in both languages', () => {
    for (const lang of ['fr', 'en'] as const) {
      const i = createI18n(lang);
      for (const k of COURT_KINDS) expect(i.exists(`proceeding.courtNameHints.${k}`), `${lang} ${k}`).toBe(true);
      for (const s of STAGES) if (standingModesFor(s).length) expect(i.exists(`standing.modeHints.${s}`), `${lang} ${s}`).toBe(true);
    }
    expect(createI18n('fr').t('proceeding.courtNameHints.COUR_ASSISES')).toBe('Par exemple : Cour d’assises de la Gironde.');
  });
});
