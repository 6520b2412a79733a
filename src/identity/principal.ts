import type { Role } from './permissions.js'

/**
 * Who is calling, as established by authentication: an operator's session, a workspace's
 * secret key (servers: the whole workspace API) or its public key (the browser SDK:
 * ingest and consent only). Every principal belongs to exactly one workspace, and every
 * query a route runs is scoped to `principal.workspaceId`.
 */
export type Principal =
  | {
      kind: 'operator'
      workspaceId: string
      operatorId: string
      role: Role
      twoFactorEnabled: boolean
      sessionId: string
    }
  | { kind: 'secret-key'; workspaceId: string; apiKeyId: string }
  | { kind: 'public-key'; workspaceId: string; apiKeyId: string }

/** How a principal appears in the audit log: never a name or an email. */
export interface Actor {
  actorType: 'operator' | 'api-key' | 'system' | 'end-user'
  actorId: string | null
}

export function actorOf(principal: Principal | undefined): Actor {
  if (principal === undefined) return { actorType: 'system', actorId: null }
  if (principal.kind === 'operator') return { actorType: 'operator', actorId: principal.operatorId }
  return { actorType: 'api-key', actorId: principal.apiKeyId }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook when the request carries valid credentials. */
    principal?: Principal
  }
}
