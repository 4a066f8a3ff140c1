// Countries by name: the API keeps ISO 3166-1 alpha-2 codes ("PH"); the
// screens show and offer names in the interface's language ("Philippines"),
// sorted as that language sorts them (« Égypte » with the E).
import type { Lang } from './datetime';

/** The 249 ISO 3166-1 alpha-2 codes. */
export const COUNTRY_CODES: readonly string[] = [
  'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ', 'BA', 'BB', 'BD', 'BE',
  'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS', 'BT', 'BV', 'BW', 'BY', 'BZ', 'CA', 'CC', 'CD',
  'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ', 'DE', 'DJ', 'DK', 'DM',
  'DO', 'DZ', 'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET', 'FI', 'FJ', 'FK', 'FM', 'FO', 'FR', 'GA', 'GB', 'GD', 'GE', 'GF',
  'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY', 'HK', 'HM', 'HN', 'HR', 'HT', 'HU',
  'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT', 'JE', 'JM', 'JO', 'JP', 'KE', 'KG', 'KH', 'KI', 'KM', 'KN',
  'KP', 'KR', 'KW', 'KY', 'KZ', 'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY', 'MA', 'MC', 'MD', 'ME',
  'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ', 'NA',
  'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ', 'OM', 'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM',
  'PN', 'PR', 'PS', 'PT', 'PW', 'PY', 'QA', 'RE', 'RO', 'RS', 'RU', 'RW', 'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI',
  'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS', 'ST', 'SV', 'SX', 'SY', 'SZ', 'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK',
  'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ', 'UA', 'UG', 'UM', 'US', 'UY', 'UZ', 'VA', 'VC', 'VE', 'VG', 'VI',
  'VN', 'VU', 'WF', 'WS', 'YE', 'YT', 'ZA', 'ZM', 'ZW',
];

const locale = (lang: Lang) => (lang === 'en' ? 'en-GB' : 'fr-FR');
const namers = new Map<Lang, Intl.DisplayNames>();

/** A country's name ("Philippines"); a code no one knows is shown as it is. */
export function countryName(code: string | null | undefined, lang: Lang): string {
  if (!code) return '';
  const c = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(c)) return code;
  let n = namers.get(lang);
  if (!n) namers.set(lang, (n = new Intl.DisplayNames([locale(lang)], { type: 'region', fallback: 'code' })));
  try {
    return n.of(c) ?? c;
  } catch {
    return c;
  }
}

/** Several countries' names, joined ("France, Philippines"). */
export function countryNames(codes: readonly string[], lang: Lang): string {
  return codes.map((c) => countryName(c, lang)).join(', ');
}

const cache = new Map<Lang, { value: string; label: string }[]>();

/**
 * The countries to choose from, by name in the language's order; a code
 * already recorded but not in the list (an old or user-assigned code) is
 * kept among them, so editing never loses it.
 */
export function countryOptions(lang: Lang, keep: readonly string[] = []): { value: string; label: string }[] {
  let base = cache.get(lang);
  if (!base) {
    const collator = new Intl.Collator(locale(lang), { sensitivity: 'base' });
    base = COUNTRY_CODES.map((c) => ({ value: c, label: countryName(c, lang) })).sort((a, b) => collator.compare(a.label, b.label));
    cache.set(lang, base);
  }
  const extra = keep.filter((c) => c && !COUNTRY_CODES.includes(c)).map((c) => ({ value: c, label: countryName(c, lang) }));
  return extra.length ? [...base, ...extra] : base;
}
