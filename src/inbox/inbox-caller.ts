import type { Actor } from '../identity/index.js'

/**
 * Who calls the inbox. Staff (an operator, or the workspace's secret key on behalf of
 * its servers) see every conversation of the workspace; a visitor (the public key with
 * a genuine visitor token) only those their anonymous id started.
 */
export type InboxCaller =
  | { readonly kind: 'staff'; readonly workspaceId: string; readonly actor: Actor }
  | {
      readonly kind: 'visitor'
      readonly workspaceId: string
      readonly actor: Actor
      /** From a checked visitor token, or absent for a first conversation without one. */
      readonly anonymousId?: string
    }
