import { Type } from 'typebox'
import type { App } from '../app.js'
import { anyone, IdParams } from '../identity/index.js'
import { getWorkspace } from '../workspaces/index.js'
import { publishedKeys, type SigningDeps } from './signing-keys.js'

const JwkSetSchema = Type.Object(
  {
    keys: Type.Array(
      Type.Object({
        kty: Type.Literal('OKP'),
        crv: Type.Literal('Ed25519'),
        x: Type.String(),
        kid: Type.String(),
        use: Type.Literal('sig'),
        alg: Type.Literal('EdDSA'),
      }),
    ),
  },
  { description: 'A JWK set (RFC 7517 §5)' },
)

/** Where a workspace's key set is published, from the instance's base URL. */
export function jwksPath(workspaceId: string): string {
  return `/v1/workspaces/${workspaceId}/jwks.json`
}

/**
 * `GET /v1/workspaces/{id}/jwks.json`, public: the keys that verify what the workspace
 * signed (consent receipts), current and retired, so a person can check a receipt
 * without trusting the server afterwards.
 */
export function registerSigningRoutes(app: App, deps: SigningDeps): void {
  app.get(
    '/v1/workspaces/:id/jwks.json',
    {
      config: { access: anyone },
      schema: {
        tags: ['governance'],
        summary: "The workspace's public signing keys (a JWK set), for verifying its receipts",
        params: IdParams,
        response: { 200: JwkSetSchema },
      },
    },
    async (request, reply) => {
      await getWorkspace(deps.db, request.params.id)
      return reply
        .type('application/jwk-set+json')
        .header('cache-control', 'public, max-age=300')
        .send({ keys: await publishedKeys(deps, request.params.id) })
    },
  )
}
