import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import { type Permission, roleMay, rolesRequiringTwoFactor } from './permissions.js'
import type { Principal } from './principal.js'

export interface AuthorizeOptions {
  /** The browser SDK's public key may call this route (ingest and consent only). */
  allowPublicKey?: boolean
}

/**
 * Decides whether a principal may use a permission. Pure: the routes' declared access
 * (access.ts) and the services that re-check inside a use case share it.
 */
export function checkPermission(
  principal: Principal | undefined,
  permission: Permission,
  options: AuthorizeOptions = {},
): Principal {
  if (principal === undefined) {
    throw new AppError('unauthorized', 'Sign in, or send a workspace API key as a Bearer token', {
      headers: { 'www-authenticate': 'Bearer realm="custodian"' },
    })
  }
  if (principal.kind === 'public-key') {
    if (options.allowPublicKey) return principal
    throw new AppError(
      'forbidden',
      'A public key may only send events and consents; use a secret key',
    )
  }
  if (principal.kind === 'secret-key') return principal
  if (!roleMay(principal.role, permission)) {
    throw new AppError('forbidden', `The ${principal.role} role may not do this (${permission})`)
  }
  // Sensitive accounts do nothing but enrol in 2FA until it is on: every permission of
  // theirs reaches personal data, directly or through the keys and people it manages.
  if (rolesRequiringTwoFactor.has(principal.role) && !principal.twoFactorEnabled) {
    throw new AppError(
      'two_factor_required',
      `Turn on two-factor authentication before ${withArticle(principal.role)} account can reach personal data`,
    )
  }
  return principal
}

/** The principal of a request that passed `authorize`, typed for the handler. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new AppError('unauthorized', 'Not signed in')
  return request.principal
}

/** "an owner", "an admin", "a dpo": the role as a sentence names it. */
function withArticle(role: string): string {
  return /^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`
}
