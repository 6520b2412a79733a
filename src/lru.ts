/**
 * A size-bounded cache that forgets the least recently used entry first. Clear keys
 * live only here, in memory, and only as many as the bound allows; `onEvict` lets the
 * owner drop what an evicted entry held.
 */
export class LruCache<K, V> {
  readonly #capacity: number
  readonly #entries = new Map<K, V>()
  readonly #onEvict: ((key: K, value: V) => void) | undefined

  constructor(capacity: number, onEvict?: (key: K, value: V) => void) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('LRU capacity must be a positive integer')
    }
    this.#capacity = capacity
    this.#onEvict = onEvict
  }

  get size(): number {
    return this.#entries.size
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key)
    if (value === undefined) return undefined
    // A Map iterates in insertion order: re-inserting marks the entry most recent.
    this.#entries.delete(key)
    this.#entries.set(key, value)
    return value
  }

  set(key: K, value: V): void {
    const previous = this.#entries.get(key)
    if (previous !== undefined) {
      this.#entries.delete(key)
      if (previous !== value) this.#onEvict?.(key, previous)
    }
    this.#entries.set(key, value)
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next()
      if (oldest.done === true) break
      this.delete(oldest.value)
    }
  }

  delete(key: K): boolean {
    const value = this.#entries.get(key)
    if (value === undefined) return false
    this.#entries.delete(key)
    this.#onEvict?.(key, value)
    return true
  }

  clear(): void {
    for (const key of [...this.#entries.keys()]) this.delete(key)
  }
}
