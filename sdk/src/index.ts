import { type InitOptions, Tracker } from './custodian.js'

export type { InitOptions } from './custodian.js'

let tracker: Tracker | undefined

const ready = (): Tracker => {
  if (tracker === undefined) throw new Error('Custodian: call init({ key, host }) first')
  return tracker
}

/**
 * Starts the SDK once per page.
 *
 * @example
 *   import { init, consent, track } from '@custodian/sdk'
 *   init({ key: 'cus_pk_…', host: 'https://custodian.example.com' })
 *   await consent.set('analytics', true) // from your consent banner
 *   track('Signed up', { plan: 'pro' })
 */
export function init(options: InitOptions): void {
  tracker ??= new Tracker(options)
}

export const page = (properties?: Record<string, unknown>): void => ready().page(properties)
export const track = (name: string, properties?: Record<string, unknown>): void =>
  ready().track(name, properties)
/** `token`: from your server's `POST /v1/identity-tokens` for this signed-in user. */
export const identify = (
  externalId: string,
  traits?: Record<string, unknown>,
  options?: { token?: string },
): void => ready().identify(externalId, traits, options?.token)
export const flush = (): void => ready().flush()

/**
 * The visitor's choices: `set` records one with the server, `get` reads it back, on
 * later pages too (a refusal included), so a banner asks only while `get` is undefined.
 *
 * @example
 *   if (consent.get('analytics') === undefined) showBanner()
 */
export const consent = {
  set: (purpose: string, granted: boolean): Promise<boolean> =>
    ready().setConsent(purpose, granted),
  get: (purpose: string): boolean | undefined => ready().getConsent(purpose),
}
