/**
 * Time is a dependency: the SLA clock, retention and the 72-hour breach clock all read
 * it from here, so tests move time instead of sleeping.
 */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = Object.freeze({ now: () => new Date() })

/** A clock that only moves when told to. For tests and simulations. */
export class ManualClock implements Clock {
  #epochMs: number

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.#epochMs = new Date(start).getTime()
  }

  now(): Date {
    return new Date(this.#epochMs)
  }

  advance(milliseconds: number): void {
    this.#epochMs += milliseconds
  }

  set(to: Date | string): void {
    this.#epochMs = new Date(to).getTime()
  }
}
