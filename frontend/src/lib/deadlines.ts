// Deadlines (échéances): how the dossier page groups the catalogue's rules
// and cites the article a deadline applies. The dates and their
// explanations are the server's (internal/deadline); nothing is computed
// here.
import type { Lang } from './datetime';

/** The groups of the rule picker, by what a rule applies to. */
export const RULE_GROUPS = ['tc', 'criminal', 'cassation', 'investigation', 'complaint', 'default', 'prescription', 'court'] as const;
export type RuleGroup = (typeof RULE_GROUPS)[number];

/** The group of a rule of the catalogue, from its stable id. */
export function ruleGroup(id: string): RuleGroup {
  if (id.startsWith('tc-')) return 'tc';
  if (id.startsWith('criminel-')) return 'criminal';
  if (id.startsWith('pourvoi')) return 'cassation';
  if (id.startsWith('ji-') || id.startsWith('afi-')) return 'investigation';
  if (id.startsWith('cpc-')) return 'complaint';
  if (id.startsWith('opposition')) return 'default';
  if (id.startsWith('prescription-')) return 'prescription';
  return 'court';
}

/** Rules grouped for the picker, groups in RULE_GROUPS order, rules in catalogue order; empty groups left out. */
export function groupRules<R extends { id: string }>(rules: readonly R[]): { group: RuleGroup; rules: R[] }[] {
  return RULE_GROUPS.map((group) => ({ group, rules: rules.filter((r) => ruleGroup(r.id) === group) })).filter((g) => g.rules.length > 0);
}

const CODE_NAME: Record<Lang, Record<string, string>> = {
  fr: { CPP: 'Code de procédure pénale', 'CPP-2029': 'Code de procédure pénale recodifié (ordonnance 2025-1091)' },
  en: { CPP: 'Code of Criminal Procedure', 'CPP-2029': 'recodified Code of Criminal Procedure (ordonnance 2025-1091)' },
};

/**
 * The article a deadline applies, in words: "article 498 al. 1 du Code de
 * procédure pénale"; when the recodified code's number is not known yet,
 * says so; '' for a manual deadline (no code version).
 */
export function articleText(codeVersion: string, article: string, lang: Lang): string {
  if (!codeVersion) return '';
  const code = CODE_NAME[lang][codeVersion] ?? codeVersion;
  if (!article) return lang === 'fr' ? `${code}, numéro d’article inconnu` : `${code}, article number not known yet`;
  if (lang === 'en') return `article ${article} of the ${code}`;
  return `article ${article} du ${code}`;
}
