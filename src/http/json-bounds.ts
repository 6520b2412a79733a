import type { FieldError } from '../errors.js'

/**
 * Bounds on JSON a client sends, checked by one iterative walk before anything
 * recursive (JSON.stringify, a validator, a sealer, a database driver) touches the
 * value. V8's JSON.parse is iterative and survives any nesting a 1 MB body can hold;
 * most code after it recurses and would overflow the stack on a value nested a few
 * thousand levels deep, answering 500 and losing the rest of a batch.
 *
 * The same walk refuses what JSON.parse lets through but nothing downstream can keep:
 * numbers out of double range (`1e309` parses to Infinity, which is stored, then fails
 * the response and reads back as null), and the prototype-poisoning keys that the
 * framework's own parser refused (`__proto__`, `constructor.prototype`).
 */

/** Deeper than any document the API defines (an event's properties sit at 3). */
export const maxJsonDepth = 64

export type JsonFlaw = 'too_deep' | 'not_finite' | 'forbidden_key'

export interface JsonFinding {
  flaw: JsonFlaw
  /** Where the flaw is, as property names and array indexes from the value's root. */
  path: (string | number)[]
}

interface Pending {
  value: unknown
  depth: number
  /** The container this value sits in, to rebuild the path only when a flaw is found. */
  parent: Pending | undefined
  key: string | number
}

/** The first flaw of a parsed JSON value, or undefined when it is within bounds. */
export function findJsonFlaw(value: unknown, maxDepth = maxJsonDepth): JsonFinding | undefined {
  const stack: Pending[] = [{ value, depth: 0, parent: undefined, key: '' }]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) return { flaw: 'not_finite', path: pathOf(item) }
      continue
    }
    if (typeof current !== 'object' || current === null) continue
    if (item.depth >= maxDepth) return { flaw: 'too_deep', path: pathOf(item) }
    const depth = item.depth + 1
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index -= 1) {
        stack.push({ value: current[index], depth, parent: item, key: index })
      }
      continue
    }
    for (const key in current) {
      if (!Object.hasOwn(current, key)) continue
      const child = (current as Record<string, unknown>)[key]
      if (isPoisonKey(key, child)) return { flaw: 'forbidden_key', path: pathOf(item) }
      stack.push({ value: child, depth, parent: item, key })
    }
  }
  return undefined
}

function pathOf(item: Pending): (string | number)[] {
  const path: (string | number)[] = []
  for (let at = item; at.parent !== undefined; at = at.parent) {
    path.unshift(at.key)
  }
  return path
}

function isPoisonKey(key: string, child: unknown): boolean {
  if (key === '__proto__') return true
  return (
    key === 'constructor' &&
    typeof child === 'object' &&
    child !== null &&
    Object.hasOwn(child, 'prototype')
  )
}

const plainSegment = /^[A-Za-z0-9_$-]{1,64}$/

/**
 * A field path safe to show a client: property names a client chose are shown only
 * when they are plain identifiers, anything else as `{name}`, so a key such as
 * `<img src=x onerror=…>` is never reflected. Indexes are shown as they are.
 */
export function safeFieldPath(path: readonly (string | number)[]): string {
  return path
    .map((segment) =>
      typeof segment === 'number' || plainSegment.test(segment) ? String(segment) : '{name}',
    )
    .join('.')
}

/** A flaw as a problem's field error: where it is (safely rendered) and what it means. */
export function jsonFlawFieldError(finding: JsonFinding): FieldError {
  return { in: 'body', field: safeFieldPath(finding.path), message: describeJsonFlaw(finding.flaw) }
}

/** What a flaw means, in words that quote nothing the client sent. */
export function describeJsonFlaw(flaw: JsonFlaw): string {
  switch (flaw) {
    case 'too_deep':
      return `is nested deeper than ${maxJsonDepth} levels`
    case 'not_finite':
      return 'is a number out of range (JSON numbers must be finite doubles)'
    case 'forbidden_key':
      return 'holds a key that is not allowed (__proto__ or constructor.prototype)'
  }
}
