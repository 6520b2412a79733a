import { type TSchema, Type } from 'typebox'
import { component } from '../http/index.js'
import type { App } from '../app.js'
import { requires } from '../identity/index.js'
import { principalOf } from '../identity/index.js'
import { type AuditAction, auditActions } from './audit-actions.js'
import { actorTypes, outcomes } from './audit.logic.js'
import type { AuditLog } from './audit.service.js'
import { maxPageSize, defaultPageSize } from './page.logic.js'
import { auditContextOf } from '../identity/index.js'

export interface AuditRouteDeps {
  audit: AuditLog
}

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

const AuditListQuery = Type.Object(
  {
    cursor: Type.Optional(
      Type.String({
        maxLength: 64,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'nextCursor of the previous page',
      }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: maxPageSize, default: defaultPageSize }),
    ),
    // The closed set of catalogued actions, as one named enum clients can type.
    action: Type.Optional(
      Type.Unsafe<AuditAction>({
        type: 'string',
        enum: [...auditActions],
        description: 'only entries of this action, e.g. contact.read',
        ...component('AuditAction'),
      }),
    ),
    subjectId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'only entries about this data subject (matched by blind index)',
      }),
    ),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'at or after' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'before' })),
    includeIp: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'open the callers’ sealed IP addresses; the reveal is itself audited',
      }),
    ),
  },
  { additionalProperties: false },
)

const DetailValue = Type.Union([
  Type.String(),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
  Type.Array(Type.Union([Type.String(), Type.Number()])),
])

const AuditEntry = Type.Object(
  {
    seq: Type.Integer({ description: 'position in the instance-wide hash chain' }),
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    actor: Type.Object({
      type: Type.Unsafe<string>({ type: 'string', enum: [...actorTypes] }),
      id: nullable(Type.String()),
    }),
    action: Type.String(),
    resource: nullable(Type.Object({ type: Type.String(), id: nullable(Type.String()) })),
    subjectRef: nullable(
      Type.String({ description: 'blind index of the data subject, never the subject itself' }),
    ),
    purpose: nullable(Type.String()),
    outcome: Type.Unsafe<string>({ type: 'string', enum: [...outcomes] }),
    requestId: nullable(Type.String()),
    details: nullable(Type.Record(Type.String(), DetailValue)),
    hash: Type.String({ description: 'SHA-256 chain hash of this entry, hex' }),
    ip: Type.Optional(nullable(Type.String({ description: 'only with includeIp=true' }))),
  },
  component('AuditEntry'),
)

const AuditPageSchema = Type.Object(
  {
    data: Type.Array(AuditEntry),
    nextCursor: nullable(Type.String()),
  },
  component('AuditPage'),
)

/**
 * `GET /v1/audit`: the caller's workspace's audit entries, newest first. Always scoped
 * to the authenticated principal's workspace; no parameter can name another.
 */
export function registerAuditRoutes(app: App, deps: AuditRouteDeps): void {
  app.get(
    '/v1/audit',
    {
      config: { access: requires('audit:read') },
      schema: {
        summary: "The workspace's audit log, newest first",
        description:
          'Every read, export, change and deletion of personal data and every security event ' +
          'of the workspace. Entries are hash-chained; `custodian audit verify` checks the chain.',
        tags: ['audit'],
        security: [{ secretKey: [] }],
        querystring: AuditListQuery,
        response: { 200: AuditPageSchema },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request)
      const { actor, requestId, ip } = auditContextOf(request)
      const page = await deps.audit.listEntries(workspaceId, request.query, {
        actor,
        requestId,
        ip,
      })
      // Lists answer `{data, nextCursor}` across the API.
      return { data: page.entries, nextCursor: page.nextCursor }
    },
  )
}
