import { Type } from 'typebox'
import type { App } from '../../app.js'
import { actorOf, principalOf, requestContext, requires } from '../../identity/index.js'
import type { GovernanceDeps } from '../governance.deps.js'
import { RecordsOfProcessingSchema } from './ropa.schema.js'
import { exportRecords, ropaFormats } from './ropa.service.js'

const RopaQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Enum(ropaFormats, {
        default: 'json',
        description: 'json (both records), csv (one record, ICO template columns) or html',
      }),
    ),
    record: Type.Optional(
      Type.Union([Type.Literal('controller'), Type.Literal('processor')], {
        default: 'controller',
        description:
          'For csv: the controller’s record (Art. 30(1)) or the processor’s (Art. 30(2))',
      }),
    ),
  },
  { additionalProperties: false },
)

const contentTypes = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const

/** `GET /v1/ropa`: the records of processing (Art. 30), made now from the map and registries. */
export function registerRopaRoutes(app: App, deps: GovernanceDeps): void {
  app.get(
    '/v1/ropa',
    {
      config: { access: requires('governance:manage') },
      schema: {
        tags: ['governance'],
        summary: 'Records of processing activities (Art. 30(1) controller, 30(2) processor)',
        description:
          'Made from the data map, the consent purposes, the sub-processor registry, the personal-data registry and the DPIA register. The CSV follows the ICO documentation template for controllers, column for column. Audited as ropa.exported.',
        querystring: RopaQuery,
        response: {
          200: {
            description: 'The records',
            content: {
              'application/json': { schema: RecordsOfProcessingSchema },
              'text/csv': { schema: Type.String() },
              'text/html': { schema: Type.String() },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const format = request.query.format ?? 'json'
      const record = request.query.record ?? 'controller'
      const { body } = await exportRecords(
        deps,
        { workspaceId: principal.workspaceId, format, record, actor: actorOf(principal) },
        requestContext(request),
      )
      reply.type(contentTypes[format])
      if (format === 'csv') {
        reply.header('content-disposition', `attachment; filename="ropa-${record}.csv"`)
      }
      return reply.send(body)
    },
  )
}
