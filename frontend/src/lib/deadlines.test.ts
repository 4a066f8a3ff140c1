import { describe, expect, it } from 'vitest';
import { articleText, groupRules, ruleGroup } from './deadlines';

describe('articleText', () => {
  it('cites the article of the current code in French and English', () => {
    expect(articleText('CPP', '498', 'fr')).toBe('article 498 du Code de procédure pénale');
    expect(articleText('CPP', '498 al. 1', 'en')).toBe('article 498 al. 1 of the Code of Criminal Procedure');
  });
  it('says when the recodified number is unknown', () => {
    expect(articleText('CPP-2029', '', 'fr')).toBe('Code de procédure pénale recodifié (ordonnance 2025-1091), numéro d’article inconnu');
  });
  it('is empty for a manual deadline', () => {
    expect(articleText('', '', 'fr')).toBe('');
  });
});

describe('groupRules', () => {
  it('groups by what the rule applies to, in a fixed order, without empty groups', () => {
    const rules = [{ id: 'pourvoi' }, { id: 'tc-appel' }, { id: 'manuel-audience' }, { id: 'tc-appel-incident' }, { id: 'afi-intention' }];
    expect(groupRules(rules)).toEqual([
      { group: 'tc', rules: [{ id: 'tc-appel' }, { id: 'tc-appel-incident' }] },
      { group: 'cassation', rules: [{ id: 'pourvoi' }] },
      { group: 'investigation', rules: [{ id: 'afi-intention' }] },
      { group: 'court', rules: [{ id: 'manuel-audience' }] },
    ]);
  });
  it('knows every prefix of the catalogue', () => {
    expect(ruleGroup('criminel-appel')).toBe('criminal');
    expect(ruleGroup('cpc-apres-refus')).toBe('complaint');
    expect(ruleGroup('opposition-hors-metropole')).toBe('default');
    expect(ruleGroup('prescription-delit-mineur')).toBe('prescription');
    expect(ruleGroup('ji-refus-actes')).toBe('investigation');
  });
});
