import {
  isCalendarDate,
  isLuhnValid,
  iso7064Mod1110CheckDigit,
  mod97,
  weightedSum,
} from './check-digits.logic.js'

/**
 * The national identity and tax numbers detected, one validator each, on the compact
 * upper-case form (separators removed). Every validator checks the structure the issuer
 * defines (dates, ranges) and the check digit, so a number that merely has the right
 * length is not taken for an identifier.
 */
export const nationalIdSchemes = [
  'de_tax_id', // Steuerliche Identifikationsnummer (§ 139b AO)
  'es_dni', // Documento Nacional de Identidad
  'es_nie', // Número de Identidad de Extranjero
  'it_codice_fiscale',
  'fr_nir', // Numéro d'inscription au répertoire (sécurité sociale)
  'pl_pesel',
  'nl_bsn', // Burgerservicenummer
  'se_personnummer', // personnummer and samordningsnummer
  'fi_hetu', // henkilötunnus
  'be_national_number', // Rijksregisternummer / numéro de registre national
] as const
export type NationalIdScheme = (typeof nationalIdSchemes)[number]

/**
 * German tax id: 11 digits, no leading zero; among the first ten exactly one digit
 * appears two or three times and the others at most once; ISO 7064 MOD 11,10 check.
 */
export function isGermanTaxId(digits: string): boolean {
  if (!/^[1-9]\d{10}$/.test(digits)) return false
  const counts = new Map<string, number>()
  for (const digit of digits.slice(0, 10)) counts.set(digit, (counts.get(digit) ?? 0) + 1)
  const repeated = [...counts.values()].filter((count) => count > 1)
  if (repeated.length !== 1 || (repeated[0] !== 2 && repeated[0] !== 3)) return false
  return iso7064Mod1110CheckDigit(digits.slice(0, 10)) === Number(digits[10])
}

const dniLetters = 'TRWAGMYFPDXBNJZSQVHLCKE'

/** Spanish DNI: 8 digits and the letter of their remainder by 23 (Real Decreto 1553/2005). */
export function isSpanishDni(value: string): boolean {
  if (!/^\d{8}[A-Z]$/.test(value)) return false
  return dniLetters[Number(value.slice(0, 8)) % 23] === value[8]
}

/** Spanish NIE: X, Y or Z (0, 1, 2), 7 digits, and the DNI's letter of the 8 digits. */
export function isSpanishNie(value: string): boolean {
  if (!/^[XYZ]\d{7}[A-Z]$/.test(value)) return false
  const number = `${'XYZ'.indexOf(value[0] ?? '')}${value.slice(1, 8)}`
  return dniLetters[Number(number) % 23] === value[8]
}

// Codice fiscale (DM 23/12/1976): digits may be replaced by letters (omocodia).
const omocodia = 'LMNPQRSTUV'
const codiceShape =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/
const oddValues = [
  1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
]

function codiceValue(char: string, odd: boolean): number {
  const code = char.charCodeAt(0)
  const index = code <= 57 ? code - 48 : code - 65
  return odd ? (oddValues[index] ?? 0) : index
}

/** Italian codice fiscale: the shape, a real day of birth (women +40), the check letter. */
export function isItalianCodiceFiscale(value: string): boolean {
  if (!codiceShape.test(value)) return false
  const dayDigits = value
    .slice(9, 11)
    .replace(/[LMNPQRSTUV]/g, (letter) => String(omocodia.indexOf(letter)))
  const day = Number(dayDigits)
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return false
  let sum = 0
  for (let index = 0; index < 15; index += 1) {
    // Positions are counted from 1: the first character is in an odd position.
    sum += codiceValue(value[index] ?? '0', index % 2 === 0)
  }
  return String.fromCharCode(65 + (sum % 26)) === value[15]
}

/**
 * French NIR: sex, year, month (01–12, or 20–42 and 50–99 when unknown), department
 * (2A and 2B count as 19 and 18), commune, order, and the key 97 − (number mod 97).
 */
export function isFrenchNir(value: string): boolean {
  if (!/^[1-478]\d{4}(?:\d{2}|2A|2B)\d{8}$/.test(value)) return false
  const month = Number(value.slice(3, 5))
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50)) return false
  const number = value.slice(0, 13).replace('2A', '19').replace('2B', '18')
  return 97 - mod97(number) === Number(value.slice(13))
}

/** Polish PESEL: the date of birth with the century in the month, weights 1-3-7-9. */
export function isPolishPesel(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false
  const encodedMonth = Number(digits.slice(2, 4))
  // 1800s +80, 1900s +0, 2000s +20; later centuries are not born yet.
  const century = encodedMonth > 80 ? 1800 : encodedMonth > 20 ? 2000 : 1900
  const month = encodedMonth % 20
  const year = century + Number(digits.slice(0, 2))
  if (encodedMonth > 40 && encodedMonth <= 80) return false
  if (!isCalendarDate(year, month, Number(digits.slice(4, 6)))) return false
  const sum = weightedSum(digits, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3])
  return (10 - (sum % 10)) % 10 === Number(digits[10])
}

/** Dutch BSN: 9 digits passing the "elfproef" (weights 9…2 and −1, divisible by 11). */
export function isDutchBsn(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || /^0+$/.test(digits)) return false
  const sum = weightedSum(digits, [9, 8, 7, 6, 5, 4, 3, 2]) - Number(digits[8])
  return sum % 11 === 0
}

/**
 * Swedish personnummer (YYMMDD-NNNC or YYYYMMDDNNNC) and samordningsnummer (day + 60):
 * a real date and Luhn over the last ten digits.
 */
export function isSwedishPersonnummer(digits: string): boolean {
  if (!/^(?:\d{10}|\d{12})$/.test(digits)) return false
  const ten = digits.slice(-10)
  const month = Number(ten.slice(2, 4))
  let day = Number(ten.slice(4, 6))
  if (day > 60) day -= 60
  const years =
    digits.length === 12
      ? [Number(digits.slice(0, 4))]
      : [1900 + Number(ten.slice(0, 2)), 2000 + Number(ten.slice(0, 2))]
  if (!years.some((year) => isCalendarDate(year, month, day))) return false
  return isLuhnValid(ten)
}

// The century sign: + 1800s, - and U–Y 1900s, A–F 2000s (the letters since 2023).
// prettier-ignore
const hetuCenturies: Readonly<Record<string, number>> = {
  '+': 1800, '-': 1900, U: 1900, V: 1900, W: 1900, X: 1900, Y: 1900,
  A: 2000, B: 2000, C: 2000, D: 2000, E: 2000, F: 2000,
}
const hetuCheckCharacters = '0123456789ABCDEFHJKLMNPRSTUVWXY'

/** Finnish HETU: DDMMYY, the century sign, the individual number 002–899, the check character. */
export function isFinnishHetu(value: string): boolean {
  const match = /^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$/.exec(value)
  if (match === null) return false
  const [, day = '', month = '', year = '', sign = '', individual = '', check = ''] = match
  const century = hetuCenturies[sign] ?? 1900
  if (!isCalendarDate(century + Number(year), Number(month), Number(day))) return false
  const person = Number(individual)
  if (person < 2 || person > 899) return false
  return hetuCheckCharacters[Number(`${day}${month}${year}${individual}`) % 31] === check
}

/**
 * Belgian national number: YYMMDD (month and day may be 00, BIS numbers add 20 or 40
 * to the month), a serial, and 97 − (the nine digits mod 97), with a 2 before them for
 * people born from 2000.
 */
export function isBelgianNationalNumber(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false
  const month = Number(digits.slice(2, 4)) % 20
  const day = Number(digits.slice(4, 6))
  if (month > 12 || day > 31) return false
  const check = Number(digits.slice(9))
  const nine = digits.slice(0, 9)
  return 97 - mod97(nine) === check || 97 - mod97(`2${nine}`) === check
}
