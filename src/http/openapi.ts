import swagger from '@fastify/swagger'
import type { App } from '../app.js'
import type { securitySchemes as credentialSchemes } from '../identity/index.js'
import { componentKey } from './component.js'
import { ProblemSchema } from './problem-schema.js'

export const apiVersion = '0.1.0'

/**
 * The OpenAPI 3.1 document is generated from the very schemas that validate requests,
 * so it cannot drift from what the server accepts. Must be registered before routes.
 * Every operation declares its security (from its route's declared access, see
 * identity/access.ts) and answers errors as RFC 9457 problems.
 */
export async function registerOpenApi(
  app: App,
  publicUrl: () => string,
  /** The kinds of credential, from identity: declared once, beside the access they grant. */
  securitySchemes: typeof credentialSchemes,
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Custodian API',
        version: apiVersion,
        description:
          'Customer data platform with the GDPR built into its data layer. Errors are ' +
          'RFC 9457 problem documents (application/problem+json). Lists page with ' +
          '`limit` and `cursor`; a page gives the next cursor as `nextCursor`.',
        license: { name: 'AGPL-3.0-only', identifier: 'AGPL-3.0-only' },
      },
      components: { securitySchemes },
    },
    transformObject: (document) =>
      'openapiObject' in document ? finishDocument(document.openapiObject, publicUrl()) : {},
  })
}

function finishDocument<T extends { paths?: object; components?: object }>(
  document: T,
  serverUrl: string,
): T {
  const components = (document.components ?? {}) as Record<string, unknown>
  const schemas = { ...((components.schemas ?? {}) as Record<string, unknown>) }
  const paths = hoistComponents(document.paths ?? {}, schemas) as Record<string, unknown>
  schemas.Problem = hoistComponents(ProblemSchema, schemas)
  addProblemResponses(paths)
  return {
    ...document,
    servers: [{ url: serverUrl, description: 'This Custodian instance' }],
    paths,
    components: { ...components, schemas },
  }
}

/** Replaces every schema marked with `component` by a reference to one shared copy. */
function hoistComponents(value: unknown, schemas: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => hoistComponents(item, schemas))
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value).filter(([key]) => key !== componentKey)
  const copy = Object.fromEntries(
    entries.map(([key, item]) => [key, hoistComponents(item, schemas)]),
  )
  const name = (value as Record<string, unknown>)[componentKey]
  if (typeof name !== 'string') return copy
  schemas[name] ??= copy
  return { $ref: `#/components/schemas/${name}` }
}

const problemResponse = {
  description: 'An RFC 9457 problem: the request was refused or failed',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
}

function addProblemResponses(paths: Record<string, unknown>): void {
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations as Record<string, unknown>)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) {
        continue
      }
      const responses = operation.responses as Record<string, unknown>
      responses.default ??= problemResponse
    }
  }
}
