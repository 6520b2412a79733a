import type { Candidate } from '../detect.logic.js'
import { contextOf, referenceWords, wordList } from './context.logic.js'
import { hasOneSeparator, isGroupedAs, numberWindows } from './number-runs.logic.js'

/**
 * US Social Security numbers: AAA-GG-SSSS. The Social Security Administration never
 * issues area 000, 666 or 900–999, group 00 or serial 0000, so those are not SSNs
 * (SSA, "Social Security Number Randomization", 2011). Two numbers printed in
 * advertisements and wallets, 078-05-1120 and 219-09-9999, were voided; they are kept
 * as low-confidence matches, as someone pasting them means an SSN all the same.
 */
export function isIssuableSsn(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false
  const area = Number(digits.slice(0, 3))
  const group = digits.slice(3, 5)
  const serial = digits.slice(5)
  return area !== 0 && area !== 666 && area < 900 && group !== '00' && serial !== '0000'
}

const voidedNumbers = new Set(['078051120', '219099999'])

const ssnWords = wordList([
  'ssn',
  'ss#',
  'ss #',
  'ssn#',
  'social security',
  'social security number',
  'social security no',
  'soc sec',
  'social',
  'sozialversicherungsnummer',
  'us-sozialversicherungsnummer',
  'numéro de sécurité sociale américain',
  'número de seguro social',
  'seguro social',
  'tax id',
  'itin',
])

export function detectUsSsns(text: string): Candidate[] {
  const found: Candidate[] = []
  for (const window of numberWindows(text, { min: 9, max: 9 })) {
    const printed = isGroupedAs(window, [3, 2, 4]) && hasOneSeparator(window)
    const compact = window.groupLengths.length === 1
    if ((!printed && !compact) || !isIssuableSsn(window.digits)) continue
    const verdict = contextOf(text, window.start, window.end, {
      names: ssnWords,
      others: referenceWords,
    })
    const dashed = printed && window.separators[0] === '-'
    const levels = compact
      ? { none: 0.25, named: 0.85, other: 0.05 }
      : { none: dashed ? 0.75 : 0.6, named: 0.97, other: 0.2 }
    let confidence = levels[verdict]
    if (!window.wholeRun) confidence -= 0.3
    if (voidedNumbers.has(window.digits)) confidence = Math.min(confidence, 0.3)
    found.push({ kind: 'us_ssn', start: window.start, end: window.end, confidence })
  }
  return found
}
