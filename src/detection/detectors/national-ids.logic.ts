import type { Candidate } from '../detect.logic.js'
import { distanceToWord, referenceWords, type WordList, wordList } from './context.logic.js'
import {
  isBelgianNationalNumber,
  isDutchBsn,
  isFinnishHetu,
  isFrenchNir,
  isGermanTaxId,
  isItalianCodiceFiscale,
  isPolishPesel,
  isSpanishDni,
  isSpanishNie,
  isSwedishPersonnummer,
  type NationalIdScheme,
} from './national-id-schemes.logic.js'
import {
  hasOneSeparator,
  isGroupedAs,
  type NumberWindow,
  numberWindows,
} from './number-runs.logic.js'

/**
 * National identity and tax numbers of ten schemes in nine EU states. Each candidate is
 * validated by its scheme (national-id-schemes.logic.ts), then scored by its layout and
 * its context: the scheme's own name nearby ("PESEL", "mijn BSN") makes it near certain,
 * another scheme's name or an order number's makes it unlikely. Eleven bare digits can
 * pass three schemes at once (German, Polish, Belgian): without a name near them none of
 * the three is claimed with confidence.
 */
interface Proposal {
  readonly scheme: NationalIdScheme
  readonly start: number
  readonly end: number
  /** Confidence from the validation and the layout alone, before context. */
  readonly base: number
}

const schemeWords: Readonly<Record<NationalIdScheme, WordList>> = {
  de_tax_id: wordList([
    'steuer-?id',
    'steuer id',
    'steuer-identifikationsnummer',
    'steueridentifikationsnummer',
    'steuerliche identifikationsnummer',
    'identifikationsnummer',
    'idnr',
    'id-nr',
    'steuernummer',
    'tax id',
    'tax identification number',
  ]),
  es_dni: wordList(['dni', 'd\\.n\\.i\\.?', 'documento nacional de identidad', 'nif']),
  es_nie: wordList(
    [
      'NIE',
      'N\\.I\\.E\\.?',
      '[Nn]úmero de [Ii]dentidad de [Ee]xtranjero',
      '[Tt]arjeta de [Rr]esidencia',
    ],
    { caseSensitive: true },
  ),
  it_codice_fiscale: wordList([
    'codice fiscale',
    'cod\\.? ?fisc\\.?',
    'cf',
    'c\\.f\\.?',
    'tessera sanitaria',
    'fiscal code',
  ]),
  fr_nir: wordList([
    'nir',
    'numéro de sécurité sociale',
    'numero de securite sociale',
    'n° de sécurité sociale',
    'sécurité sociale',
    'securite sociale',
    'sécu',
    'secu',
    'carte vitale',
    'insee',
    'numéro insee',
    'french social security',
  ]),
  pl_pesel: wordList(['pesel', 'numer pesel', 'nr pesel']),
  nl_bsn: wordList([
    'bsn',
    'burgerservicenummer',
    'burger service nummer',
    'sofinummer',
    'sofi-nummer',
    'citizen service number',
  ]),
  se_personnummer: wordList([
    'personnummer',
    'personnumret',
    'personnummer',
    'personnr',
    'pnr',
    'samordningsnummer',
    'personal identity number',
  ]),
  fi_hetu: wordList([
    'henkilötunnus',
    'henkilötunnukseni',
    'henkilötunnuksen',
    'henkilötunnukseni on',
    'hetu',
    'sotu',
    'sosiaaliturvatunnus',
    'personbeteckning',
    'personal identity code',
  ]),
  be_national_number: wordList([
    'rijksregisternummer',
    'rijksregister',
    'numéro national',
    'numéro de registre national',
    'registre national',
    'national number',
    'national register number',
    'insz',
    'niss',
    'identificatienummer',
  ]),
}

const genericIdWords = wordList([
  'id',
  'id number',
  'id no',
  'id-nummer',
  'national id',
  'identity number',
  'identity card',
  'id card',
  'identification number',
  'personal number',
  'personalausweis',
  'ausweis',
  'ausweisnummer',
  'identité',
  "carte d'identité",
  "numéro d'identité",
  'identidad',
  'documento',
  "carta d'identità",
  'documento di identità',
  'identiteitskaart',
  'identiteitsnummer',
  'dowód',
  'dowodu',
  'legitimation',
  'id-kort',
  'henkilökortti',
  'henkilöllisyys',
])

/** Every national id the text holds, scored; the caller resolves overlaps. */
export function detectNationalIds(text: string): Candidate[] {
  const proposals = [...numericProposals(text), ...alphanumericProposals(text)]
  return proposals.map((proposal) => ({
    kind: 'national_id',
    scheme: proposal.scheme,
    start: proposal.start,
    end: proposal.end,
    confidence: scored(text, proposal, isAmbiguous(proposal, proposals)),
  }))
}

/** Another scheme validates exactly the same characters. */
function isAmbiguous(proposal: Proposal, all: readonly Proposal[]): boolean {
  return all.some(
    (other) =>
      other.scheme !== proposal.scheme &&
      other.start === proposal.start &&
      other.end === proposal.end,
  )
}

function scored(text: string, proposal: Proposal, ambiguous: boolean): number {
  const { start, end, scheme } = proposal
  const own = distanceToWord(text, start, end, schemeWords[scheme])
  const others = Object.entries(schemeWords)
    .filter(([name]) => name !== scheme)
    .map(([, words]) => distanceToWord(text, start, end, words))
  const nearest = (distances: (number | undefined)[]) =>
    Math.min(...distances.map((distance) => distance ?? Infinity))
  const distances = {
    own: own ?? Infinity,
    other: nearest(others),
    reference: nearest([distanceToWord(text, start, end, referenceWords)]),
    generic: nearest([distanceToWord(text, start, end, genericIdWords)]),
  }
  // The scheme named near it (nearer than any other scheme's name) settles it, even
  // beside an order number's word: "DNI para la factura? Es 15515049P".
  if (distances.own <= distances.other && distances.own !== Infinity) {
    return Math.max(0.97, proposal.base)
  }
  const closest = Math.min(...Object.values(distances))
  if (closest === Infinity) return ambiguous ? proposal.base - 0.2 : proposal.base
  if (distances.other === closest) return proposal.base - 0.35
  if (distances.reference === closest) return proposal.base - 0.4
  return Math.min(0.9, proposal.base + (ambiguous ? 0.05 : 0.25))
}

function numericProposals(text: string): Proposal[] {
  const proposals: Proposal[] = []
  for (const window of numberWindows(text, { min: 9, max: 15 })) {
    for (const proposal of proposalsOf(window)) {
      proposals.push({ ...proposal, base: proposal.base - (window.wholeRun ? 0 : 0.3) })
    }
  }
  return proposals
}

function proposalsOf(window: NumberWindow): Proposal[] {
  const { digits, start, end } = window
  const compact = window.groupLengths.length === 1
  const at = (scheme: NationalIdScheme, base: number): Proposal => ({ scheme, start, end, base })
  const proposals: Proposal[] = []
  if (digits.length === 11) {
    if (isGermanTaxId(digits) && (compact || isGroupedAs(window, [2, 3, 3, 3]))) {
      proposals.push(at('de_tax_id', compact ? 0.55 : 0.65))
    }
    if (isPolishPesel(digits) && compact) proposals.push(at('pl_pesel', 0.55))
    if (isBelgianNationalNumber(digits)) {
      if (isGroupedAs(window, [2, 2, 2, 3, 2], [6, 3, 2]))
        proposals.push(at('be_national_number', 0.85))
      else if (compact) proposals.push(at('be_national_number', 0.5))
    }
  }
  if (digits.length === 9 && isDutchBsn(digits)) {
    if (compact || (isGroupedAs(window, [4, 2, 3], [3, 3, 3]) && hasOneSeparator(window, ' .-'))) {
      proposals.push(at('nl_bsn', 0.35))
    }
  }
  if ((digits.length === 10 || digits.length === 12) && isSwedishPersonnummer(digits)) {
    const dashed = window.separators.length === 1 && window.separators[0] === '-'
    if (dashed && isGroupedAs(window, [6, 4], [8, 4])) proposals.push(at('se_personnummer', 0.8))
    else if (compact) proposals.push(at('se_personnummer', digits.length === 12 ? 0.55 : 0.4))
  }
  if (digits.length === 15 && isFrenchNir(digits)) {
    if (isGroupedAs(window, [1, 2, 2, 2, 3, 3, 2], [13, 2])) proposals.push(at('fr_nir', 0.85))
    else if (compact) proposals.push(at('fr_nir', 0.7))
  }
  return proposals
}

const edge = '(?<![\\p{L}\\p{N}])'
const end = '(?![\\p{L}\\p{N}])'
const alphanumericSchemes: readonly {
  scheme: NationalIdScheme
  pattern: RegExp
  valid: (compact: string) => boolean
  base: number
}[] = [
  {
    scheme: 'es_dni',
    pattern: new RegExp(`${edge}\\d{8}[ -]?[A-Za-z]${end}`, 'gu'),
    valid: isSpanishDni,
    base: 0.8,
  },
  {
    scheme: 'es_nie',
    pattern: new RegExp(`${edge}[XYZxyz][ -]?\\d{7}[ -]?[A-Za-z]${end}`, 'gu'),
    valid: isSpanishNie,
    base: 0.85,
  },
  {
    scheme: 'it_codice_fiscale',
    pattern: new RegExp(
      `${edge}[A-Za-z]{6}[0-9A-Za-z]{2}[A-Za-z][0-9A-Za-z]{2}[A-Za-z][0-9A-Za-z]{3}[A-Za-z]${end}`,
      'gu',
    ),
    valid: isItalianCodiceFiscale,
    base: 0.92,
  },
  {
    // Corsica's departments 2A and 2B; the all-digit NIR is a number window above.
    scheme: 'fr_nir',
    pattern: new RegExp(
      `${edge}[1-478] ?\\d{2} ?\\d{2} ?2[ABab] ?\\d{3} ?\\d{3} ?\\d{2}${end}`,
      'gu',
    ),
    valid: isFrenchNir,
    base: 0.85,
  },
  {
    scheme: 'fi_hetu',
    pattern: new RegExp(`${edge}\\d{6}[-+A-FU-Ya-fu-y]\\d{3}[0-9A-Ya-y]${end}`, 'gu'),
    valid: isFinnishHetu,
    base: 0.9,
  },
]

function alphanumericProposals(text: string): Proposal[] {
  const proposals: Proposal[] = []
  for (const { scheme, pattern, valid, base } of alphanumericSchemes) {
    for (const match of text.matchAll(pattern)) {
      const compact = match[0].replace(/[ -]/g, (separator, offset: number) =>
        // The HETU's century sign may be a dash: keep it there.
        scheme === 'fi_hetu' && offset === 6 ? separator : '',
      )
      if (!valid(compact.toUpperCase())) continue
      // A code typed in lower case is less likely to be an identifier read off a card.
      const typed = compact === compact.toUpperCase() ? base : base - 0.1
      proposals.push({
        scheme,
        start: match.index,
        end: match.index + match[0].length,
        base: typed,
      })
    }
  }
  return proposals
}
