/**
 * The check-digit algorithms the detectors validate with. Each takes the digits (or
 * characters) already stripped of separators and answers whether the check holds: a
 * pattern alone would flag every long number, a check digit tells an identifier from a
 * number that merely looks like one.
 */

/** Luhn (ISO/IEC 7812-1 Annex B): payment cards, the Swedish personnummer. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48
    if (digit < 0 || digit > 9) return false
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return digits.length > 1 && sum % 10 === 0
}

/** The remainder of a long decimal number by 97, taken piece by piece (ISO 7064 MOD 97-10). */
export function mod97(numeric: string): number {
  let remainder = 0
  for (let start = 0; start < numeric.length; start += 7) {
    remainder = Number(`${remainder}${numeric.slice(start, start + 7)}`) % 97
  }
  return remainder
}

/** ISO 7064 MOD 11,10 (the German tax id's check digit). */
export function iso7064Mod1110CheckDigit(digits: string): number {
  let product = 10
  for (const char of digits) {
    let sum = (Number(char) + product) % 10
    if (sum === 0) sum = 10
    product = (sum * 2) % 11
  }
  const check = 11 - product
  return check === 10 ? 0 : check
}

/** Σ digit × weight, the weighted sums most national schemes use. */
export function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0
  for (let index = 0; index < weights.length; index += 1) {
    sum += Number(digits[index] ?? '0') * (weights[index] ?? 0)
  }
  return sum
}

/** Whether a two-digit year, month and day form a real calendar date in some century. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}
