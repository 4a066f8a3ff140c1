import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { fr } from './fr';
import type { Lang } from '../lib/datetime';

export const LANGS: readonly Lang[] = ['fr', 'en'];

/**
 * The starting language: French unless the page was opened with ?lang=en.
 * The choice is kept in memory only (no cookie, no localStorage).
 */
export function initialLang(search: string): Lang {
  const l = new URLSearchParams(search).get('lang');
  return l === 'en' ? 'en' : 'fr';
}

/** A fresh i18next instance (one per app, one per test). */
export function createI18n(lng: Lang): I18n {
  const i = i18next.createInstance();
  void i.use(initReactI18next).init({
    lng,
    fallbackLng: 'fr',
    supportedLngs: LANGS as Lang[],
    resources: { fr: { translation: fr }, en: { translation: en } },
    interpolation: { escapeValue: false }, // React escapes.
    initImmediate: false,
    returnNull: false,
    // i18next 25 prints a sponsor notice on the console at first init: noise
    // in the browser's console and in every test run.
    showSupportNotice: false,
  });
  return i;
}
