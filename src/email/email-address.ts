import { domainToASCII, domainToUnicode } from 'node:url'
import { hasOneNumberSystem, hasSafeScripts, isWholeScriptLookalike, scriptsOf } from './scripts.js'

/**
 * Email addresses, international ones included (RFC 6531, "EAI": a UTF-8 local part and
 * an internationalised domain), checked and normalised by one pair of functions that
 * every door uses: the HTTP validators (the `email` format of ajv and of TypeBox), the
 * CLI, identify traits, and the blind index. Pure; nothing but node:url.
 *
 * What is accepted, and why each rule is there:
 *
 * 1. At most 320 characters and one `@` (U+0040), with nothing around the address: no
 *    whitespace, no control (Cc), format (Cf: zero-width space and joiners, soft
 *    hyphen, bidi controls), private-use or unassigned code point anywhere. They are
 *    invisible or reorder text: two addresses that look the same must not be two people.
 * 2. Written in NFKC-stable form (after NFC): full-width `＠` and letters, ligatures,
 *    superscripts and other compatibility characters are refused instead of silently
 *    folded, because they exist to look like other characters.
 * 3. The local part is a dot-atom (RFC 5321 §4.1.2): atoms of ASCII atext and, beyond
 *    ASCII, letters, marks and digits only. RFC 6531 allows any UTF-8 there, but the
 *    symbols and punctuation of other scripts are look-alikes of `@ . -` and no name
 *    needs them. Quoted local parts and address literals (`[192.0.2.1]`) are refused.
 * 4. An ASCII domain is what the route schemas accepted before (ajv-formats' `email`):
 *    two or more labels of letters, digits and inner hyphens. Any other domain, and any
 *    with an `xn--` label, is what UTS #46 (`url.domainToASCII`, as browsers apply it)
 *    turns into such a host name; anything it refuses is refused (bad Punycode, joiners
 *    out of context, RFC 5893's bidi rule). The rules below then read the Unicode form,
 *    so `xn--…` is held to the rules of the text it spells.
 * 5. Scripts (UTS #39 §5.2, "Moderately Restrictive"), per domain label and per atom of
 *    the local part: letters of the recommended scripts only (UTS #31 table 4; limited-
 *    use scripts such as Cherokee copy Latin shapes), and one script, or Latin with Han
 *    and Hiragana/Katakana (Japanese), with Han and Bopomofo (Chinese), with Han and
 *    Hangul (Korean), or with one other script that is neither Cyrillic nor Greek nor
 *    right-to-left (Arabic, Hebrew, Thaana: RFC 5893, the text reorders on screen). So
 *    `pаypal.com` with a Cyrillic `а` is refused and `東京-tokyo.jp` is not.
 * 6. Digits of one decimal system per label or atom (UTS #39 §5.3, mixed numbers).
 * 7. A domain label of Cyrillic or Greek letters that all look like Latin ones (`аррӏе`)
 *    is refused unless the top-level domain is of that script: the whole-script
 *    confusable that browsers show as Punycode for the same reason.
 *
 * No length rule beyond 320 characters, as before: an ASCII address accepted then is
 * accepted now, unless an `xn--` label in it spells what rules 4 to 7 refuse.
 */
export function isEmailAddress(value: string): boolean {
  if (value.length > 320) return false
  const address = value.normalize('NFC')
  if (address.normalize('NFKC') !== address) return false
  const at = address.indexOf('@')
  if (at < 0 || address.includes('@', at + 1)) return false
  return isLocalPart(address.slice(0, at)) && isDomain(address.slice(at + 1))
}

/**
 * The form an address is indexed in (the blind index hashes this), so every spelling of
 * one mailbox finds the same row: trimmed, NFC, lower-cased, and the domain as its
 * A-label (`user@bücher.de` and `user@XN--BCHER-KVA.de` both give
 * `user@xn--bcher-kva.de`).
 *
 * An ASCII address gives exactly what it gave before international addresses were
 * accepted (trimmed, lower-cased): the indexes already stored keep matching. The local
 * part is lower-cased beyond ASCII too, as it always was: RFC 5321 lets a server tell
 * `José` from `josé`, but the large providers do not, and for a data subject's rights a
 * request that misses part of their data (Art. 15, Art. 17) is the worse failure.
 * Lower case, not case folding: `ß` stays `ß`, as UTS #46 keeps it in the domain.
 *
 * Total over any text, as lookups pass unchecked input; text that is not an address
 * keeps the old form and simply finds nothing.
 */
export function normaliseEmail(value: string): string {
  const trimmed = value.trim()
  if (isAscii(trimmed)) return trimmed.toLowerCase()
  const address = trimmed.normalize('NFC')
  const at = address.lastIndexOf('@')
  const domain = at < 0 ? '' : domainToASCII(address.slice(at + 1))
  if (domain === '') return address.toLowerCase()
  return `${address.slice(0, at).toLowerCase()}@${domain}`
}

/** An address as it is stored and shown: as the person typed it, trimmed, in NFC. */
export function emailAsTyped(value: string): string {
  return value.trim().normalize('NFC')
}

function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- the whole ASCII range, controls included
  return /^[\x00-\x7f]*$/.test(text)
}

// ASCII atext (RFC 5322 §3.2.3), and letters, marks and digits of any script.
const atomPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\p{L}\p{M}\p{N}-]+$/u

function isLocalPart(localPart: string): boolean {
  return localPart
    .split('.')
    .every(
      (atom) =>
        atomPattern.test(atom) &&
        !/^\p{M}/u.test(atom) &&
        hasSafeScripts(atom) &&
        hasOneNumberSystem(atom),
    )
}

// ajv-formats' rule for an ASCII domain, which route schemas applied before.
const asciiDomain = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i
const aLabel = /(?:^|\.)xn--/i

function isDomain(domain: string): boolean {
  if (isAscii(domain) && !aLabel.test(domain)) return asciiDomain.test(domain)
  if (!/^[\p{L}\p{M}\p{N}.-]+$/u.test(domain)) return false
  const ascii = domainToASCII(domain)
  if (ascii === '' || !asciiDomain.test(ascii)) return false
  const labels = domainToUnicode(ascii).split('.')
  const tldScripts = scriptsOf(labels[labels.length - 1] ?? '')
  return labels.every(
    (label) =>
      /^[\p{L}\p{M}\p{N}-]+$/u.test(label) &&
      hasSafeScripts(label) &&
      hasOneNumberSystem(label) &&
      !isWholeScriptLookalike(label, tldScripts),
  )
}
