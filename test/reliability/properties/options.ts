import type { Parameters } from 'fast-check'

/**
 * The one seed of every property suite (`PROPERTY_SEED=n` replays a failure fast-check
 * reported) and how many runs each property gets.
 */
export const propertySeed = Number(process.env.PROPERTY_SEED ?? 20261206)

export function propertyOptions(numRuns: number): Parameters<unknown> {
  return { seed: propertySeed, numRuns }
}
