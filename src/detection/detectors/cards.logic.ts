import type { Candidate } from '../detect.logic.js'
import { isLuhnValid } from './check-digits.logic.js'
import { contextOf, referenceWords, wordList } from './context.logic.js'
import { hasOneSeparator, isGroupedAs, numberWindows } from './number-runs.logic.js'

/**
 * Payment card numbers (PCI DSS calls them PANs): 12 to 19 digits, compact or in groups
 * joined by spaces or dashes, that pass Luhn, start with a known issuer's prefix and
 * have one of that issuer's lengths. The finding's scheme is the card network.
 */
interface Issuer {
  readonly network: string
  /** Inclusive ranges of leading digits, compared on the prefix's own length. */
  readonly prefixes: readonly (readonly [string, string])[]
  readonly lengths: readonly number[]
}

const lengths16to19 = [16, 17, 18, 19]

// Issuer identification ranges as the networks publish them (ISO/IEC 7812 IINs).
const issuers: readonly Issuer[] = [
  { network: 'visa', prefixes: [['4', '4']], lengths: [13, 16, 19] },
  {
    network: 'mastercard',
    prefixes: [
      ['51', '55'],
      ['2221', '2720'],
    ],
    lengths: [16],
  },
  {
    network: 'amex',
    prefixes: [
      ['34', '34'],
      ['37', '37'],
    ],
    lengths: [15],
  },
  {
    network: 'discover',
    prefixes: [
      ['6011', '6011'],
      ['644', '649'],
      ['65', '65'],
      ['622126', '622925'],
    ],
    lengths: lengths16to19,
  },
  {
    network: 'diners',
    prefixes: [
      ['300', '305'],
      ['3095', '3095'],
      ['36', '36'],
      ['38', '39'],
    ],
    lengths: [14, 15, 16, 17, 18, 19],
  },
  { network: 'jcb', prefixes: [['3528', '3589']], lengths: lengths16to19 },
  { network: 'unionpay', prefixes: [['62', '62']], lengths: lengths16to19 },
  {
    network: 'maestro',
    prefixes: [
      ['5018', '5018'],
      ['5020', '5020'],
      ['5038', '5038'],
      ['5893', '5893'],
      ['6304', '6304'],
      ['6759', '6759'],
      ['6761', '6763'],
    ],
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
  },
  { network: 'mir', prefixes: [['2200', '2204']], lengths: lengths16to19 },
]

/** The network whose prefix and length the digits have, or undefined. */
export function cardNetworkOf(digits: string): string | undefined {
  for (const issuer of issuers) {
    if (!issuer.lengths.includes(digits.length)) continue
    const matches = issuer.prefixes.some(([low, high]) => {
      const prefix = digits.slice(0, low.length)
      return prefix >= low && prefix <= high
    })
    if (matches) return issuer.network
  }
  return undefined
}

const cardWords = wordList([
  'cards?',
  'credit ?cards?',
  'debit ?cards?',
  'card (?:no|number|num|#)',
  'cc',
  'pan',
  'visa',
  'master ?card',
  'amex',
  'american express',
  'maestro',
  'discover',
  'jcb',
  'diners',
  'unionpay',
  'kreditkarte',
  'kreditkartennummer',
  'karte',
  'kartennummer',
  'ec-karte',
  'girocard',
  'carte',
  'carte bancaire',
  'carte bleue',
  'cb',
  'numéro de carte',
  'tarjeta',
  'tarjeta de crédito',
  'número de tarjeta',
  'carta',
  'carta di credito',
  'numero della carta',
  'kaart',
  'creditcard',
  'kaartnummer',
  'karta',
  'karty',
  'kartą',
  'numer karty',
  'kort',
  'kortet',
  'kortnummer',
  'kortti',
  'kortin',
  'luottokortti',
  'charged',
  'expires?',
  'expiry',
  'cvv',
  'cvc',
])

// Each network's printed layout: 4-4-4-4, Amex 4-6-5, Diners 4-6-4, 19 digits 4-4-4-4-3.
const printedLayouts: readonly (readonly number[])[] = [
  [4, 4, 4, 4],
  [4, 6, 5],
  [4, 6, 4],
  [4, 4, 4, 4, 3],
  [4, 4, 4, 1],
  [4, 4, 4, 4, 2],
  [4, 4, 4, 4, 1],
  [4, 4, 4],
  [4, 4, 4, 3],
]

export function detectCards(text: string): Candidate[] {
  const found: Candidate[] = []
  for (const window of numberWindows(text, { min: 12, max: 19 })) {
    if (!hasOneSeparator(window)) continue
    const network = cardNetworkOf(window.digits)
    if (network === undefined || !isLuhnValid(window.digits)) continue
    const compact = window.groupLengths.length === 1
    const printed = compact || isGroupedAs(window, ...printedLayouts)
    let base = printed ? 0.7 : 0.45
    if (!window.wholeRun) base -= 0.3
    const verdict = contextOf(text, window.start, window.end, {
      names: cardWords,
      others: referenceWords,
    })
    const confidence = verdict === 'named' ? base + 0.25 : verdict === 'other' ? base - 0.45 : base
    found.push({
      kind: 'card',
      scheme: network,
      start: window.start,
      end: window.end,
      confidence,
    })
  }
  return found
}
