import { sql } from 'kysely'
import { Type } from 'typebox'
import type { App } from './app.js'
import { AppError, type ErrorCode, problemCatalogue } from './errors.js'
import { anyone } from './identity/index.js'
import type { Database } from './storage/index.js'
import { problemTypeUri } from './http/index.js'

const codes = Object.keys(problemCatalogue) as ErrorCode[]

/** Lines of `name value` a module adds to `/healthz?detail=true` (no personal data). */
export type MetricLines = () => Promise<readonly string[]>

/** Liveness with a real database round trip, the OpenAPI document and the problem types. */
export function registerSystemRoutes(
  app: App,
  db: Database,
  metrics: readonly MetricLines[] = [],
): void {
  app.get(
    '/healthz',
    {
      config: { access: anyone },
      schema: {
        summary: 'Health check: the process is up and its database answers',
        tags: ['system'],
        querystring: Type.Object({ detail: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            metrics: Type.Optional(Type.Array(Type.String())),
          }),
        },
      },
    },
    async (request) => {
      try {
        await sql`select 1`.execute(db)
      } catch (error) {
        throw new AppError('unavailable', 'The database does not answer', { cause: error })
      }
      if (request.query.detail !== true) return { status: 'ok' as const }
      const lines = (await Promise.all(metrics.map((lines) => lines()))).flat()
      return { status: 'ok' as const, metrics: lines }
    },
  )

  app.get(
    '/v1/openapi.json',
    {
      config: { access: anyone },
      schema: { summary: 'This OpenAPI 3.1 document', tags: ['system'] },
    },
    async () => app.swagger(),
  )

  app.get(
    '/problems/:code',
    {
      config: { access: anyone },
      schema: {
        summary: 'Describes a problem type used in error responses',
        tags: ['system'],
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
        response: {
          200: Type.Object({
            type: Type.String(),
            code: Type.String(),
            title: Type.String(),
            status: Type.Integer(),
          }),
        },
      },
    },
    async (request) => {
      const { code } = request.params
      const known = codes.find((candidate) => candidate === code)
      if (known === undefined) throw new AppError('not_found', 'No such problem type')
      const { title, status } = problemCatalogue[known]
      return { type: problemTypeUri(known), code: known, title, status }
    },
  )
}
