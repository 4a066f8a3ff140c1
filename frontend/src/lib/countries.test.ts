import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, countryName, countryNames, countryOptions } from './countries';

describe('countries by name', () => {
  it('lists the 249 ISO 3166-1 alpha-2 codes once each', () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    expect(new Set(COUNTRY_CODES).size).toBe(249);
    expect(COUNTRY_CODES.every((c) => /^[A-Z]{2}$/.test(c))).toBe(true);
    for (const c of ['FR', 'PH', 'RO', 'BE', 'CI', 'RE', 'GF']) expect(COUNTRY_CODES).toContain(c);
  });
  it('names a country in the interface’s language', () => {
    expect(countryName('PH', 'fr')).toBe('Philippines');
    expect(countryName('DE', 'fr')).toBe('Allemagne');
    expect(countryName('DE', 'en')).toBe('Germany');
    expect(countryName('ci', 'fr')).toBe('Côte d’Ivoire');
    expect(countryNames(['FR', 'BE'], 'fr')).toBe('France, Belgique');
    expect(countryName('', 'fr')).toBe('');
    expect(countryName('Philippines', 'fr')).toBe('Philippines');
  });
  it('offers every country, sorted in French collation (accents do not come last)', () => {
    const o = countryOptions('fr');
    expect(o).toHaveLength(249);
    const at = (label: string) => o.findIndex((x) => x.label === label);
    expect(at('Afrique du Sud')).toBeLessThan(at('Allemagne'));
    expect(at('Égypte')).toBeGreaterThan(at('Danemark'));
    expect(at('Égypte')).toBeLessThan(at('Espagne'));
    expect(at('Équateur')).toBeLessThan(at('Espagne'));
    expect(o.find((x) => x.value === 'PH')?.label).toBe('Philippines');
  });
  it('sorts in English for the English interface', () => {
    const o = countryOptions('en');
    expect(o[0].label).toBe('Afghanistan');
    expect(o.findIndex((x) => x.value === 'DE')).toBeLessThan(o.findIndex((x) => x.value === 'GR'));
  });
  it('keeps a recorded code the list does not have, so editing does not lose it', () => {
    const o = countryOptions('fr', ['XK', 'FR', '']);
    expect(o).toHaveLength(250);
    expect(o[o.length - 1]).toEqual({ value: 'XK', label: 'Kosovo' });
  });
});
