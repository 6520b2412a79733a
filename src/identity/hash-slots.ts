import { availableParallelism } from 'node:os'
import { AppError } from '../errors.js'

export interface HashSlotsOptions {
  /** Hashes that may run at once. */
  limit: number
  /** Callers that may wait for a slot; one more is turned away. */
  maxWaiting: number
  /** Seconds a turned-away client is asked to wait (Retry-After). */
  retryAfterSeconds?: number
}

/**
 * A counting semaphore around password hashing. scrypt at the default cost takes
 * 128 MiB for the length of each hash, and Node runs it on libuv's thread pool (four
 * threads unless UV_THREADPOOL_SIZE says otherwise), which file reads and DNS share:
 * unbounded, a burst of sign-ins took a process from 131 MB to 645 MB and held every
 * pool thread. With slots, at most `limit` hashes hold memory at once, the pool keeps
 * room for other work, and a bounded queue waits for a slot.
 *
 * Beyond the queue the caller gets 503 `unavailable` with Retry-After, not 429: the
 * limit is this process's capacity, spent by everybody's sign-ins, not a sign that
 * this client asked too often (RFC 9110 §15.6.4 lets a 503 say when to come back).
 * Turning away costs nothing, where a longer queue would only make every sign-in
 * slower than a client will wait.
 */
export class HashSlots {
  readonly limit: number
  readonly maxWaiting: number
  readonly #retryAfter: string
  #running = 0
  readonly #queue: (() => void)[] = []

  constructor(options: HashSlotsOptions) {
    if (!(options.limit >= 1) || !(options.maxWaiting >= 0)) {
      throw new Error('hash slots need a limit of at least 1 and a queue of 0 or more')
    }
    this.limit = options.limit
    this.maxWaiting = options.maxWaiting
    this.#retryAfter = String(options.retryAfterSeconds ?? 1)
  }

  /** Hashes running now. */
  get running(): number {
    return this.#running
  }

  /** Callers waiting for a slot now. */
  get waiting(): number {
    return this.#queue.length
  }

  /** Runs `work` once a slot is free; throws `unavailable` at once when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.#acquire()
    try {
      return await work()
    } finally {
      this.#release()
    }
  }

  async #acquire(): Promise<void> {
    if (this.#running < this.limit) {
      this.#running += 1
      return
    }
    if (this.#queue.length >= this.maxWaiting) {
      throw new AppError(
        'unavailable',
        'Too many passwords are being checked right now; try again in a moment',
        { headers: { 'retry-after': this.#retryAfter } },
      )
    }
    // The slot passes straight from the releasing caller to this one: `running` never dips.
    await new Promise<void>((resolve) => this.#queue.push(resolve))
  }

  #release(): void {
    const next = this.#queue.shift()
    if (next === undefined) this.#running -= 1
    else next()
  }
}

// libuv's pool (UV_THREADPOOL_SIZE, 4 by default) runs scrypt beside file reads and DNS.
const threadPoolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4
const processLimit = Math.max(1, Math.min(availableParallelism(), threadPoolSize - 1))

/**
 * The slots every password hash in this process goes through unless a caller passes
 * its own: one hash per CPU the process may use, but always one pool thread left for
 * other work (so 3 at most by default: 384 MiB at the default cost, however many CPUs),
 * and a queue of eight per slot (at about half a second a hash, a few seconds' wait).
 */
export const processHashSlots = new HashSlots({ limit: processLimit, maxWaiting: 8 * processLimit })
