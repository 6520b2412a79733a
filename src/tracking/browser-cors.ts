import type { App } from '../app.js'
import { anyone } from '../identity/index.js'

/**
 * CORS for the routes the browser SDK calls from the customer's own site: any origin,
 * never credentials. Only the public key (in the Authorization header or, for
 * sendBeacon, in the body) works there, and an operator's session cookie is never sent
 * cross-site without `credentials`, which `*` forbids; every other route keeps the
 * same-origin default.
 */
export const browserRoutes: ReadonlySet<string> = new Set([
  '/v1/events',
  '/v1/consents',
  '/v1/consents/age',
  '/v1/consents/receipts/:id',
  // The inbox's visitor side (its own conversations, with its x-visitor-token).
  '/v1/conversations',
  '/v1/conversations/:id',
  '/v1/conversations/:id/messages',
  '/v1/attachments/:id',
])

const preflightHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST',
  'access-control-allow-headers': 'authorization, content-type, x-visitor-token',
  'access-control-max-age': '600',
}

/** Register before the routes, so the hook covers them. */
export function registerBrowserCors(app: App): void {
  app.addHook('onSend', async (request, reply) => {
    if (!browserRoutes.has(request.routeOptions.url ?? '')) return
    reply.header('access-control-allow-origin', '*')
    reply.header('access-control-expose-headers', 'x-request-id, retry-after')
    // The same-origin default would hide answers from a no-cors sendBeacon too.
    reply.header('cross-origin-resource-policy', 'cross-origin')
  })
  for (const url of browserRoutes) {
    app.options(
      url,
      { config: { access: anyone }, schema: { hide: true } },
      async (_request, reply) => reply.code(204).headers(preflightHeaders).send(),
    )
  }
}
