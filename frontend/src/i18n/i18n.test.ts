import { describe, expect, it, vi } from 'vitest';
import { en } from './en';
import { fr } from './fr';
import { createI18n, initialLang } from './index';

function keys(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

function placeholders(s: string): string[] {
  return [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
}

function leaves(o: unknown, prefix = ''): [string, string][] {
  if (typeof o === 'string') return [[prefix, o]];
  return Object.entries(o as object).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('translations', () => {
  it('have the same keys in French and English', () => {
    expect(keys(en)).toEqual(keys(fr));
  });
  it('use the same placeholders in both languages', () => {
    const enLeaves = new Map(leaves(en));
    for (const [k, v] of leaves(fr)) {
      expect(placeholders(enLeaves.get(k) ?? ''), k).toEqual(placeholders(v));
    }
  });
  it('have no empty text', () => {
    for (const [k, v] of [...leaves(fr), ...leaves(en)]) expect(v.trim(), k).not.toBe('');
  });
  it('default to French', () => {
    expect(initialLang('')).toBe('fr');
    expect(initialLang('?lang=de')).toBe('fr');
    expect(initialLang('?lang=en')).toBe('en');
    const i = createI18n('fr');
    expect(i.t('signIn.submit')).toBe('Se connecter');
    expect(i.t('dossiers.count', { count: 2 })).toBe('2 dossiers');
    expect(createI18n('en').t('dossiers.count', { count: 1 })).toBe('1 dossier');
  });
});

describe('createI18n', () => {
  it('prints nothing on the console (no sponsor notice)', () => {
    // i18next shows its notice once per process: forget that it did.
    delete (globalThis as Record<string, unknown>).__i18next_supportNoticeShown;
    const spies = (['log', 'info', 'warn'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    try {
      createI18n('fr');
      createI18n('en');
      for (const s of spies) expect(s).not.toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });
});
