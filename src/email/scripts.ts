/**
 * The script rules of UTS #39 (Unicode Security Mechanisms) that `isEmailAddress` applies
 * to each domain label and each atom of a local part, with JavaScript's own Unicode
 * property escapes: no table to ship, and the engine's Unicode version.
 */

/** UTS #31 table 4, Recommended Scripts (Common and Inherited are neutral, below). */
const recommendedScripts = [
  'Latin',
  'Arabic',
  'Armenian',
  'Bengali',
  'Bopomofo',
  'Cyrillic',
  'Devanagari',
  'Ethiopic',
  'Georgian',
  'Greek',
  'Gujarati',
  'Gurmukhi',
  'Han',
  'Hangul',
  'Hebrew',
  'Hiragana',
  'Kannada',
  'Katakana',
  'Khmer',
  'Lao',
  'Malayalam',
  'Myanmar',
  'Oriya',
  'Sinhala',
  'Tamil',
  'Telugu',
  'Thaana',
  'Thai',
  'Tibetan',
] as const
type Script = (typeof recommendedScripts)[number]

const scriptPatterns = recommendedScripts.map(
  (script) => [script, new RegExp(`^\\p{Script=${script}}$`, 'u')] as const,
)
// Digits, hyphens, the Japanese prolonged sound mark, combining accents: they belong to
// every script (UTS #24) and do not make a text mixed.
const neutral = /^[\p{Script=Common}\p{Script=Inherited}]$/u
const asciiLetter = /^[A-Za-z]$/

/** A character's script: null when neutral, 'other' when not a recommended script. */
function scriptOf(char: string): Script | 'other' | null {
  if (asciiLetter.test(char)) return 'Latin'
  if (neutral.test(char)) return null
  return scriptPatterns.find(([, pattern]) => pattern.test(char))?.[0] ?? 'other'
}

/** The scripts a text is written in, neutral characters aside. */
export function scriptsOf(text: string): Set<Script | 'other'> {
  const scripts = new Set<Script | 'other'>()
  for (const char of text) {
    const script = scriptOf(char)
    if (script !== null) scripts.add(script)
  }
  return scripts
}

// UTS #39 §5.2: the sets that are one writing system though several scripts.
const highlyRestrictiveSets: ReadonlySet<Script>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
]

const copiesLatin: ReadonlySet<Script> = new Set(['Cyrillic', 'Greek'])
// Right-to-left scripts: mixed with Latin in one label, the bidi algorithm reorders the
// text on screen (RFC 5893 refuses such a label; url.domainToASCII does not always).
const rightToLeft: ReadonlySet<Script> = new Set(['Arabic', 'Hebrew', 'Thaana'])

/**
 * UTS #39 §5.2, Moderately Restrictive: one script; or one of the Japanese, Chinese or
 * Korean sets with Latin; or Latin and one other script that is neither Cyrillic nor
 * Greek, the two whose letters copy Latin ones (`pаypal`), nor right-to-left.
 */
export function hasSafeScripts(text: string): boolean {
  const scripts = scriptsOf(text)
  if (scripts.has('other')) return false
  if (scripts.size <= 1) return true
  const named = [...scripts].filter((script): script is Script => script !== 'other')
  if (highlyRestrictiveSets.some((set) => named.every((script) => set.has(script)))) return true
  if (scripts.size !== 2 || !scripts.has('Latin')) return false
  const other = named.find((script) => script !== 'Latin')
  return other !== undefined && !copiesLatin.has(other) && !rightToLeft.has(other)
}

const decimalDigit = /^\p{Nd}$/u

/**
 * UTS #39 §5.3, mixed numbers: all decimal digits of one system (`٣` and `۳` look alike
 * and are not the same digit). Unicode encodes each system as ten consecutive code
 * points from its zero, and systems that follow one another (mathematical digits) in
 * whole runs of ten, so a digit's zero is found by counting back to its run's start.
 */
export function hasOneNumberSystem(text: string): boolean {
  const zeros = new Set<number>()
  for (const char of text) {
    if (decimalDigit.test(char)) zeros.add(zeroOf(char.codePointAt(0) ?? 0))
  }
  return zeros.size <= 1
}

function zeroOf(codePoint: number): number {
  let start = codePoint
  while (decimalDigit.test(String.fromCodePoint(start - 1))) start -= 1
  return start + Math.floor((codePoint - start) / 10) * 10
}

/**
 * Cyrillic and Greek lower-case letters drawn like Latin ones in common fonts (UTS #46
 * has lower-cased the label already). A label of these alone spells a Latin word with
 * no Latin letter in it (`аррӏе`, `ѕсоре`), so the mixed-script rule cannot see it.
 */
const latinLookalikes: Partial<Record<Script, RegExp>> = {
  Cyrillic: /^[асԁеһіјӏорԛѕԝхуүѵ]$/u,
  Greek: /^[αικνορυχ]$/u,
}

/**
 * UTS #39 §4, whole-script confusables: a label wholly in Cyrillic (or Greek) letters
 * that all have a Latin twin is refused, unless the top-level domain is itself of that
 * script (`.рф`, `.ελ`), where such words are expected and a Latin reading is not.
 */
export function isWholeScriptLookalike(label: string, tldScripts: Set<string>): boolean {
  const scripts = scriptsOf(label)
  const [script] = scripts
  if (scripts.size !== 1 || script === undefined || script === 'other') return false
  const lookalike = latinLookalikes[script]
  if (lookalike === undefined || tldScripts.has(script)) return false
  const letters = label.match(/\p{L}/gu) ?? []
  return letters.length > 0 && letters.every((char) => lookalike.test(char))
}
