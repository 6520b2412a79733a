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
export function missingFrom(old: unknown, now: unknown, path = '$'): string[] {
  if (Array.isArray(old)) {
    if (!Array.isArray(now)) return [`${path}: an array, now ${describe(now)}`]
    return missingElements(old, now, path)
  }
  if (old !== null && typeof old === 'object') {
    if (now === null || typeof now !== 'object' || Array.isArray(now)) {
      return [`${path}: an object, now ${describe(now)}`]
    }
    return Object.entries(old).flatMap(([key, value]) =>
      Object.hasOwn(now, key)
        ? missingFrom(value, Object.getOwnPropertyDescriptor(now, key)?.value, `${path}.${key}`)
        : [`${path}.${key}: gone`],
    )
  }
  return Object.is(old, now) ? [] : [`${path}: ${describe(old)}, now ${describe(now)}`]
}

function missingElements(old: readonly unknown[], now: readonly unknown[], path: string): string[] {
  let next = 0
  for (const [index, element] of old.entries()) {
    let found = next
    while (found < now.length && missingFrom(element, now[found]).length > 0) found += 1
    if (found === now.length) {
      // Say what differs from the element at the same place, the likeliest counterpart.
      const counterpart = now[Math.min(index, now.length - 1)]
      const detail = now.length === 0 ? ['(now empty)'] : missingFrom(element, counterpart)
      return [`${path}[${index}] is not found; against ${path}[${index}] now: ${detail.join('; ')}`]
    }
    next = found + 1
  }
  return []
}

function describe(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
