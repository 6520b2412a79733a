import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import type { CountryCode } from 'libphonenumber-js/max'
import { defaultDetectionThreshold, detectSensitiveData, type Finding } from './detect.logic.js'
import { nationalIdSchemes } from './detectors/national-id-schemes.logic.js'

/**
 * The detectors scored on the labelled corpus (testing/detection-corpus.json: how it was
 * made is in its header). A finding counts as found when a label of the same kind (and,
 * for national ids, the same scheme) covers the same characters; anything else flagged
 * is a false positive. Issue 18's goals: precision ≥ 0.98 and recall ≥ 0.95 for cards,
 * IBANs, US SSNs and each national id scheme, at the default threshold.
 */
interface Label {
  kind: string
  scheme?: string
  value: string
}
interface Message {
  lang: string
  text: string
  expect: Label[]
}

const corpus = JSON.parse(
  readFileSync(new URL('./testing/detection-corpus.json', import.meta.url), 'utf8'),
) as { about: string[]; messages: Message[] }

/**
 * National phone numbers are read in the workspace's country; the corpus's messages are
 * scored as a workspace of their language's main country would read them.
 */
const regionOf: Readonly<Record<string, CountryCode>> = {
  en: 'US',
  de: 'DE',
  fr: 'FR',
  es: 'ES',
  it: 'IT',
  nl: 'NL',
  pl: 'PL',
  sv: 'SE',
  fi: 'FI',
}

/** What is scored: a kind, or one national id scheme. */
function classOf(item: { kind: string; scheme?: string | undefined }): string {
  return item.kind === 'national_id' ? `national_id:${item.scheme ?? '?'}` : item.kind
}

interface Tally {
  truePositives: number
  falsePositives: number
  falseNegatives: number
}

function score(): Map<string, Tally> {
  const tallies = new Map<string, Tally>()
  const tally = (name: string) => {
    let found = tallies.get(name)
    if (found === undefined) {
      found = { truePositives: 0, falsePositives: 0, falseNegatives: 0 }
      tallies.set(name, found)
    }
    return found
  }
  for (const message of corpus.messages) {
    const findings = detectSensitiveData(message.text, {
      threshold: defaultDetectionThreshold,
      phoneRegion: regionOf[message.lang],
    })
    const spans = labelSpans(message)
    const matched = new Set<Finding>()
    for (const span of spans) {
      const hit = findings.find(
        (finding) =>
          !matched.has(finding) &&
          classOf(finding) === span.name &&
          finding.start < span.end &&
          span.start < finding.end,
      )
      if (hit === undefined) tally(span.name).falseNegatives += 1
      else {
        matched.add(hit)
        tally(span.name).truePositives += 1
      }
    }
    for (const finding of findings) {
      if (!matched.has(finding)) tally(classOf(finding)).falsePositives += 1
    }
  }
  return tallies
}

/** Each label's offsets: the n-th occurrence of its value for its n-th label of that value. */
function labelSpans(message: Message): { name: string; start: number; end: number }[] {
  const used = new Map<string, number>()
  return message.expect.map((label) => {
    const from = used.get(label.value) ?? 0
    const start = message.text.indexOf(label.value, from)
    assert.ok(start >= 0, `label ${label.value} is in its message`)
    used.set(label.value, start + label.value.length)
    return { name: classOf(label), start, end: start + label.value.length }
  })
}

const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole)

const goals = [
  'card',
  'iban',
  'us_ssn',
  ...nationalIdSchemes.map((scheme) => `national_id:${scheme}`),
]

test('the corpus holds at least 400 messages, each scheme with positives and near-misses', () => {
  assert.ok(corpus.messages.length >= 400, `${corpus.messages.length} messages`)
  const tallies = score()
  for (const name of goals) {
    const tally = tallies.get(name)
    assert.ok(tally !== undefined && tally.truePositives + tally.falseNegatives >= 10, name)
  }
})

test('precision ≥ 0.98 and recall ≥ 0.95 per kind and national id scheme', () => {
  const tallies = score()
  const rows = [...tallies.entries()].sort(([a], [b]) => a.localeCompare(b))
  const lines = rows.map(([name, tally]) => {
    const precision = ratio(tally.truePositives, tally.truePositives + tally.falsePositives)
    const recall = ratio(tally.truePositives, tally.truePositives + tally.falseNegatives)
    return `${name.padEnd(32)} precision ${precision.toFixed(3)}  recall ${recall.toFixed(3)}  (tp ${tally.truePositives}, fp ${tally.falsePositives}, fn ${tally.falseNegatives})`
  })
  console.log(`detection on ${corpus.messages.length} messages:\n${lines.join('\n')}`)
  for (const name of goals) {
    const tally = tallies.get(name) ?? { truePositives: 0, falsePositives: 0, falseNegatives: 0 }
    const precision = ratio(tally.truePositives, tally.truePositives + tally.falsePositives)
    const recall = ratio(tally.truePositives, tally.truePositives + tally.falseNegatives)
    assert.ok(precision >= 0.98, `${name}: precision ${precision.toFixed(3)}`)
    assert.ok(recall >= 0.95, `${name}: recall ${recall.toFixed(3)}`)
  }
})
