/**
 * Numbers as people type them: digit groups joined by single spaces, dashes, dots or
 * slashes ("4111 1111 1111 1111", "85.07.30-033.28", "123-45-6789"). A run is every
 * group joined so; a window is consecutive groups of one run, which is what a detector
 * tests: in "call 0171 2345678 4111 1111 1111 1111" the card is the last four groups.
 */
export interface NumberWindow {
  readonly start: number
  readonly end: number
  /** The digits without separators. */
  readonly digits: string
  readonly groupLengths: readonly number[]
  /** The separators between the groups, one fewer than the groups. */
  readonly separators: readonly string[]
  /** True when the window is its whole run, not a part of a longer number. */
  readonly wholeRun: boolean
}

interface DigitGroup {
  start: number
  end: number
}

const runPattern = /\d+(?:[ \-./\u00a0]\d+)*/g
const letterOrDigit = /[\p{L}\p{N}]/u

/**
 * The runs of the text: not glued to letters (`AB1234`, `1234kg`), and not after a
 * plus sign (an international phone number) or inside a decimal amount.
 */
function runsOf(text: string): DigitGroup[][] {
  // Three detectors read the same text's runs in a row: found once per text.
  if (lastRuns?.text === text) return lastRuns.runs
  const runs: DigitGroup[][] = []
  for (const match of text.matchAll(runPattern)) {
    const start = match.index
    const end = start + match[0].length
    const before = text[start - 1] ?? ''
    const after = text[end] ?? ''
    if (letterOrDigit.test(before) || letterOrDigit.test(after) || before === '+') continue
    const groups: DigitGroup[] = []
    for (const group of match[0].matchAll(/\d+/g)) {
      groups.push({ start: start + group.index, end: start + group.index + group[0].length })
    }
    runs.push(groups)
  }
  lastRuns = { text, runs }
  return runs
}

let lastRuns: { text: string; runs: DigitGroup[][] } | undefined

/** At most this many groups in a window: no identifier is written in more. */
const maxGroups = 7

/**
 * Every window of every run whose digit count is within `lengths` (inclusive), wholes
 * first. A run is capped (50 groups) so a pasted table cannot make the scan quadratic.
 */
export function numberWindows(
  text: string,
  lengths: { readonly min: number; readonly max: number },
): NumberWindow[] {
  const windows: NumberWindow[] = []
  for (const run of runsOf(text)) {
    const groups = run.slice(0, 50)
    for (let first = 0; first < groups.length; first += 1) {
      let digitCount = 0
      for (let last = first; last < groups.length && last - first < maxGroups; last += 1) {
        const group = groups[last] as DigitGroup
        digitCount += group.end - group.start
        if (digitCount > lengths.max) break
        if (digitCount < lengths.min) continue
        windows.push(windowOf(text, groups.slice(first, last + 1), groups.length))
      }
    }
  }
  return windows
}

function windowOf(text: string, groups: DigitGroup[], runLength: number): NumberWindow {
  const first = groups[0] as DigitGroup
  const last = groups[groups.length - 1] as DigitGroup
  const separators: string[] = []
  for (let index = 1; index < groups.length; index += 1) {
    separators.push(text[(groups[index] as DigitGroup).start - 1] ?? '')
  }
  return {
    start: first.start,
    end: last.end,
    digits: groups.map((group) => text.slice(group.start, group.end)).join(''),
    groupLengths: groups.map((group) => group.end - group.start),
    separators,
    wholeRun: groups.length === runLength,
  }
}

/** Whether every separator of the window is the same one (or there is none). */
export function hasOneSeparator(window: NumberWindow, allowed = ' -'): boolean {
  const [first] = window.separators
  return (
    first === undefined ||
    (allowed.includes(first) && window.separators.every((separator) => separator === first))
  )
}

/** Whether the window's groups are exactly these lengths, or it is one compact group. */
export function isGroupedAs(window: NumberWindow, ...layouts: (readonly number[])[]): boolean {
  return layouts.some(
    (layout) =>
      layout.length === window.groupLengths.length &&
      layout.every((length, index) => window.groupLengths[index] === length),
  )
}
