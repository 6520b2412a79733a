import type { Candidate } from '../detect.logic.js'
import { mod97 } from './check-digits.logic.js'
import { distanceToWord, wordList } from './context.logic.js'

/**
 * International bank account numbers (ISO 13616): a country code, two check digits and
 * the national account number, as long as that country's IBAN is, with the check
 * digits making the whole ≡ 1 (mod 97). Compact or printed in groups of four.
 */

// Lengths from the SWIFT IBAN registry (ISO 13616), every country that issues IBANs.
// prettier-ignore
const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27,
  BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28,
  EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27,
  JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25,
  MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33,
  SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
}

/** Whether a compact, upper-case IBAN has its country's length and valid check digits. */
export function isValidIban(iban: string): boolean {
  const expected = ibanLengths[iban.slice(0, 2)]
  if (expected === undefined || iban.length !== expected) return false
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false
  const check = Number(iban.slice(2, 4))
  if (check < 2 || check > 98) return false
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  const numeric = rearranged.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55))
  return mod97(numeric) === 1
}

const ibanWords = wordList([
  'iban',
  'bic',
  'swift',
  'account',
  'bank',
  'konto',
  'bankverbindung',
  'kontonummer',
  'überweisung',
  'lastschrift',
  'compte',
  'rib',
  'virement',
  'cuenta',
  'transferencia',
  'conto',
  'bonifico',
  'rekening',
  'rekeningnummer',
  'rachunek',
  'rachunku',
  'przelew',
  'kontonummer',
  'tilinumero',
  'tili',
])

const start = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}/gu
const alphanumeric = /[A-Za-z0-9]/

export function detectIbans(text: string): Candidate[] {
  const found: Candidate[] = []
  for (const match of text.matchAll(start)) {
    const country = match[0].slice(0, 2).toUpperCase()
    const length = ibanLengths[country]
    if (length === undefined) continue
    const read = readIban(text, match.index, length)
    if (read === undefined || !isValidIban(read.iban)) continue
    const named = distanceToWord(text, match.index, read.end, ibanWords) !== undefined
    const base = read.layout === 'other' ? 0.75 : 0.9
    found.push({
      kind: 'iban',
      scheme: country.toLowerCase(),
      start: match.index,
      end: read.end,
      confidence: named ? Math.max(base, 0.97) : base,
    })
  }
  return found
}

/**
 * The IBAN's characters from `from`, skipping single spaces between them, until the
 * country's length: the next character must end the word, so a longer token is not
 * taken for an IBAN with text glued to it.
 */
function readIban(
  text: string,
  from: number,
  length: number,
): { iban: string; end: number; layout: 'compact' | 'fours' | 'other' } | undefined {
  let iban = ''
  let at = from
  const groups: number[] = [0]
  while (iban.length < length && at < text.length) {
    const char = text[at] ?? ''
    if (alphanumeric.test(char)) {
      iban += char
      groups[groups.length - 1] = (groups[groups.length - 1] ?? 0) + 1
      at += 1
    } else if (char === ' ' && alphanumeric.test(text[at + 1] ?? '') && iban.length >= 4) {
      groups.push(0)
      at += 1
    } else break
  }
  if (iban.length !== length || alphanumeric.test(text[at] ?? '')) return undefined
  const fours = groups.slice(0, -1).every((size) => size === 4) && (groups.at(-1) ?? 0) <= 4
  const layout = groups.length === 1 ? 'compact' : fours ? 'fours' : 'other'
  return { iban: iban.toUpperCase(), end: at, layout }
}
