import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n';
import { checkDossier, localError, parseAge, splitList } from './forms';

describe('forms', () => {
  it('splits lists', () => {
    expect(splitList(' Facebook, Telegram ,, ')).toEqual(['Facebook', 'Telegram']);
  });
  it('checks the dossier form', () => {
    expect(checkDossier({ reference: '', title: 'x', themes: [], countries: ['FRA'] })).toEqual({
      reference: 'forms.required', themes: 'forms.oneTheme', countries: 'forms.countryCodes',
    });
    expect(checkDossier({ reference: 'D-1', title: 'Affaire', themes: ['GROOMING'], countries: ['FR', 'PH'] })).toEqual({});
  });
  it('reports local problems like the API does, with translated labels', () => {
    const t = createI18n('fr').t;
    const e = localError({ title: 'forms.required' }, t)!;
    expect(e.code).toBe('INVALID');
    expect(e.fields).toEqual([{ field: 'title', label: 'Intitulé', message: 'Ce champ est obligatoire.' }]);
    expect(localError({}, t)).toBeNull();
  });
  it('parses ages', () => {
    expect(parseAge('')).toBeNull();
    expect(parseAge('12')).toBe(12);
    expect(parseAge('18')).toBeUndefined();
    expect(parseAge('-1')).toBeUndefined();
  });
});
