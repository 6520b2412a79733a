import { type CountryCode, findPhoneNumbersInText } from 'libphonenumber-js/max'
import { isEmailAddress } from '../../email/index.js'
import type { Candidate } from '../detect.logic.js'
import { distanceToWord, wordList } from './context.logic.js'

/**
 * Email addresses and phone numbers: personal data, but what a support chat is for,
 * so low-severity kinds (flagged, never redacted by default).
 */
const emailCandidate =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu

/** Addresses the one email check (src/email, RFC 5321/6531) accepts. */
export function detectEmails(text: string): Candidate[] {
  const found: Candidate[] = []
  for (const match of text.matchAll(emailCandidate)) {
    // A sentence's full stop is not part of the domain.
    const address = match[0].replace(/\.+$/, '')
    if (!isEmailAddress(address)) continue
    found.push({
      kind: 'email',
      start: match.index,
      end: match.index + address.length,
      confidence: 0.9,
    })
  }
  return found
}

// prettier-ignore
const phoneWords = wordList([
  'phone', 'tel', 'telephone', 'mobile', 'cell', 'call', 'whatsapp', 'sms', 'text me',
  'telefon', 'telefonnummer', 'handy', 'mobil', 'ruf', 'anrufen', 'rückruf',
  'téléphone', 'portable', 'appelez', 'appeler', 'joignable',
  'teléfono', 'móvil', 'llamar', 'llámame', 'llámeme',
  'telefono', 'cellulare', 'chiamare', 'telefoonnummer', 'mobiel', 'bellen',
  'numer telefonu', 'telefonnummer', 'ring', 'puhelin', 'puhelinnumero', 'soita',
])

/**
 * Phone numbers valid for their region by libphonenumber's full metadata (E.164).
 * International numbers (+…) are found anywhere; a national number only near a word
 * that says it is a phone number, read in the region given (a workspace's country).
 */
export function detectPhones(text: string, region?: CountryCode): Candidate[] {
  const found: Candidate[] = []
  const seen = new Set<string>()
  const add = (start: number, end: number, confidence: number) => {
    const key = `${start}:${end}`
    if (seen.has(key)) return
    seen.add(key)
    found.push({ kind: 'phone', start, end, confidence })
  }
  // libphonenumber's scan is the dearest part of detection: it runs only where it can
  // find something (a plus sign before a digit, or a phone word with a region given).
  const international = /\+\s?\(?\d/.test(text)
  const named = region !== undefined && phoneWords.pattern.test(text)
  phoneWords.pattern.lastIndex = 0
  if (!international && !named) return found
  for (const match of international ? findPhoneNumbersInText(text) : []) {
    if (!match.number.isValid()) continue
    const named = distanceToWord(text, match.startsAt, match.endsAt, phoneWords) !== undefined
    add(match.startsAt, match.endsAt, named ? 0.9 : 0.75)
  }
  if (named) {
    for (const match of findPhoneNumbersInText(text, { defaultCountry: region })) {
      if (!match.number.isValid()) continue
      if (distanceToWord(text, match.startsAt, match.endsAt, phoneWords) === undefined) continue
      add(match.startsAt, match.endsAt, 0.7)
    }
  }
  return found
}
