import swagger from '@fastify/swagger'
import type { App } from '../app.js'

export const apiVersion = '0.1.0'

/**
 * The OpenAPI 3.1 document is generated from the very schemas that validate requests,
 * so it cannot drift from what the server accepts. Must be registered before routes.
 */
export async function registerOpenApi(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Custodian API',
        version: apiVersion,
        description:
          'Customer data platform with the GDPR built into its data layer. Errors are ' +
          'RFC 9457 problem documents (application/problem+json).',
        license: { name: 'AGPL-3.0-only', identifier: 'AGPL-3.0-only' },
      },
      components: {
        securitySchemes: {
          secretKey: {
            type: 'http',
            scheme: 'bearer',
            description: "A workspace's secret key, for servers",
          },
          publicKey: {
            type: 'http',
            scheme: 'bearer',
            description: "A workspace's public key, for the browser SDK (ingest and consent only)",
          },
        },
      },
    },
  })
}
