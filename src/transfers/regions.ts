/**
 * Where personal data may go without a transfer under Chapter V: the European Economic
 * Area (the 27 Member States and, by the EEA Agreement's incorporation of the GDPR,
 * Iceland, Liechtenstein and Norway). ISO 3166-1 alpha-2 codes.
 */
export const eeaCountries: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
])

/**
 * The countries an instance region keeps data in (CUSTODIAN_REGION: `eu`, `eu-west`…; the
 * part before the dash names the area). Storage and backup destinations must lie inside
 * (DESIGN principle 6: "stored and backed up within the EU"); a region this table does
 * not know keeps nothing anywhere, so the guard refuses rather than guesses.
 */
const regionCountries: Readonly<Record<string, ReadonlySet<string>>> = {
  eu: eeaCountries,
  eea: eeaCountries,
  uk: new Set(['GB']),
  ch: new Set(['CH']),
  us: new Set(['US']),
  ca: new Set(['CA']),
}

export function countriesOfRegion(region: string): ReadonlySet<string> {
  const area = region.split('-')[0] ?? region
  return regionCountries[area] ?? new Set()
}

export function isInEea(country: string): boolean {
  return eeaCountries.has(country)
}
