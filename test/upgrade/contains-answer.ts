/**
 * Ids an upgrade may give anew: a migration that re-keys people (one subject id per
 * person instead of one per identifier, say) changes the ids answers show. A field named
 * here may hold a new value, as long as each old value always becomes the same new one
 * (two old ids may become one: two subjects found to be one person).
 */
export interface Reassignments {
  readonly fields: ReadonlySet<string>
  /** Old value → the new value it became, filled while answers are compared. */
  readonly seen: Map<string, string>
}

export function noReassignments(): Reassignments {
  return { fields: new Set(), seen: new Map() }
}

/**
 * Where a new answer fails to say everything an old one said, as readable paths (empty
 * when it does). Fields may grow (the contract lets them), so an object may have keys
 * the old one lacked; every old key must be there with the same value. An array must
 * hold every old element, in the same order, but may hold more: history that follows
 * identify shows a person's events from before it too.
 *
 * @example
 *   missingFrom({ a: 1, list: [1, 3] }, { a: 1, b: 2, list: [1, 2, 3] }) // []
 *   missingFrom({ a: 1 }, { a: 2 })                                       // ['$.a: 1, now 2']
 */
export function missingFrom(
  old: unknown,
  now: unknown,
  reassignments: Reassignments = noReassignments(),
  at: { path: string; field?: string } = { path: '$' },
): string[] {
  const { path } = at
  if (Array.isArray(old)) {
    if (!Array.isArray(now)) return [`${path}: an array, now ${describe(now)}`]
    return missingElements(old, now, reassignments, at)
  }
  if (old !== null && typeof old === 'object') {
    if (now === null || typeof now !== 'object' || Array.isArray(now)) {
      return [`${path}: an object, now ${describe(now)}`]
    }
    return Object.entries(old).flatMap(([key, value]) =>
      Object.hasOwn(now, key)
        ? missingFrom(value, Object.getOwnPropertyDescriptor(now, key)?.value, reassignments, {
            path: `${path}.${key}`,
            field: key,
          })
        : [`${path}.${key}: gone`],
    )
  }
  if (Object.is(old, now)) return []
  if (at.field !== undefined && reassignments.fields.has(at.field)) {
    return reassigned(old, now, reassignments.seen, path)
  }
  return [`${path}: ${describe(old)}, now ${describe(now)}`]
}

function reassigned(old: unknown, now: unknown, seen: Map<string, string>, path: string): string[] {
  if (typeof old !== 'string' || typeof now !== 'string') {
    return [`${path}: ${describe(old)}, now ${describe(now)}`]
  }
  const earlier = seen.get(old)
  if (earlier === undefined) seen.set(old, now)
  return earlier === undefined || earlier === now
    ? []
    : [`${path}: ${describe(old)} became ${describe(earlier)} elsewhere, here ${describe(now)}`]
}

function missingElements(
  old: readonly unknown[],
  now: readonly unknown[],
  reassignments: Reassignments,
  at: { path: string; field?: string },
): string[] {
  let next = 0
  for (const [index, element] of old.entries()) {
    const place = { ...at, path: `${at.path}[${index}]` }
    // Ids seen while trying an element count only once it matches.
    let trial = { fields: reassignments.fields, seen: new Map(reassignments.seen) }
    let found = next
    while (found < now.length && missingFrom(element, now[found], trial, place).length > 0) {
      trial = { fields: reassignments.fields, seen: new Map(reassignments.seen) }
      found += 1
    }
    if (found === now.length) {
      // Say what differs from the element at the same place, the likeliest counterpart.
      const counterpart = now[Math.min(index, now.length - 1)]
      const detail =
        now.length === 0
          ? ['(now empty)']
          : missingFrom(element, counterpart, { ...reassignments, seen: new Map() }, place)
      return [`${place.path} is not found; against the element there now: ${detail.join('; ')}`]
    }
    for (const [from, to] of trial.seen) reassignments.seen.set(from, to)
    next = found + 1
  }
  return []
}

function describe(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
