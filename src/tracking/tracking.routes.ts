import type { FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { auditContextOf } from '../identity/index.js'
import { AppError } from '../errors.js'
import { parseJsonBody } from '../http/index.js'
import { authenticateApiKey } from '../identity/index.js'
import { requires } from '../identity/index.js'
import { principalOf } from '../identity/index.js'
import { actorOf } from '../identity/index.js'
import { identityTokenOf } from './identity-token.js'
import { ingestEvents } from './ingest-events.js'
import { readEvents } from './read-events.js'
import type { TrackingDeps } from './tracking.deps.js'
import { normaliseIp } from './tracking.logic.js'
import {
  EventSchema,
  EventsPageSchema,
  EventsQuery,
  IdentityTokenBody,
  IdentityTokenSchema,
  IngestBody,
  IngestResultSchema,
  maxBatchEvents,
} from './tracking.schemas.js'

/**
 * The tracking API: `POST /v1/events` for the browser SDK (public key) and servers
 * (secret key), and `GET /v1/events` for one visitor's events (secret key or operator,
 * audited). Registered in its own scope so that only this route also reads a
 * `text/plain` body: `navigator.sendBeacon` can send nothing else without a preflight,
 * and no headers at all, so it carries the public key in the body as `writeKey`.
 */
export async function registerTrackingRoutes(app: App, deps: TrackingDeps): Promise<void> {
  const tags = ['tracking']
  await app.register(async (scope: App) => {
    scope.addContentTypeParser('text/plain', { parseAs: 'string' }, (request, body, done) => {
      try {
        done(null, parseJsonBody(request, String(body)))
      } catch (error) {
        done(error instanceof Error ? error : new Error('unparseable body'), undefined)
      }
    })
    scope.post(
      '/v1/events',
      {
        preValidation: authenticateBodyKey(deps),
        config: {
          access: requires('personal-data:write', { publicKey: true, keyInBody: true }),
          // Each event is checked against the JSON bounds on its own (checkEvent).
          checksItemsAlone: true,
        },
        schema: {
          tags,
          summary: 'Ingest a batch of page, track and identify events',
          description: [
            `Body: \`{ batch: [event, …] }\` with up to ${maxBatchEvents} events. Each event is checked on its own against the schema below; a bad one is listed in \`rejected\` with its index and an RFC 9457 problem, and the others are stored. Every event asks consent for analytics first; a refused one is rejected with code \`consent_denied\` and nothing of it is stored. An event \`id\` makes it idempotent. The answer comes after the accepted events are committed.`,
            `Event schema: \`${JSON.stringify(EventSchema)}\``,
          ].join('\n\n'),
          body: IngestBody,
          response: { 202: IngestResultSchema },
        },
      },
      async (request, reply) => {
        const userAgent = request.headers['user-agent']
        const result = await ingestEvents(deps, {
          principal: principalOf(request),
          batch: request.body.batch,
          sentAt: request.body.sentAt,
          origin: {
            ip: normaliseIp(request.ip),
            userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 1024) : null,
          },
          requestId: auditContextOf(request).requestId,
        })
        return reply.code(202).send(result)
      },
    )
  })

  app.post(
    '/v1/identity-tokens',
    {
      config: { access: requires('personal-data:write') },
      schema: {
        tags,
        summary: 'The token that lets the browser SDK identify a signed-in user',
        description:
          "Your server asks for the signed-in user's externalId and puts the token in the page: `identify(externalId, traits, { token })`. With the public key, an event naming an externalId without its token is rejected, so nobody can claim another person's identity (and consents) from a page.",
        body: IdentityTokenBody,
        response: { 201: IdentityTokenSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const indexer = await deps.keyring.indexerFor(principal.workspaceId)
      const { externalId } = request.body
      return reply.code(201).send({ externalId, token: identityTokenOf(indexer, externalId) })
    },
  )

  app.get(
    '/v1/events',
    {
      config: { access: requires('personal-data:read') },
      schema: {
        tags,
        summary:
          "One person's events, with every identifier linked to them, newest first (audited)",
        description:
          'Name the visitor by exactly one of anonymousId or externalId. Country and city come from DB-IP Lite: IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0.',
        querystring: EventsQuery,
        response: { 200: EventsPageSchema },
      },
    },
    async (request) => {
      const { anonymousId, externalId, limit, cursor, before } = request.query
      if ((anonymousId === undefined) === (externalId === undefined)) {
        throw new AppError('invalid_request', 'Name the visitor by anonymousId or externalId', {
          errors: [
            { in: 'querystring', field: 'anonymousId', message: 'or externalId, one of them' },
          ],
        })
      }
      const principal = principalOf(request)
      const { requestId, ip } = auditContextOf(request)
      if (cursor !== undefined && before !== undefined && cursor !== before) {
        throw new AppError('invalid_request', 'Send the cursor once, as cursor', {
          errors: [{ in: 'querystring', field: 'before', message: 'is the old name of cursor' }],
        })
      }
      const page = await readEvents(deps, {
        workspaceId: principal.workspaceId,
        by: anonymousId === undefined ? { externalId: externalId ?? '' } : { anonymousId },
        limit: limit ?? 100,
        cursor: cursor ?? before,
        reader: { actor: actorOf(principal), requestId, ip },
      })
      // `next` is the deprecated name of `nextCursor`, kept for one release.
      return { ...page, next: page.nextCursor }
    },
  )
}

/**
 * The public key as `writeKey` in the body (sendBeacon can send no header). A secret
 * key is never taken from a body: one that was put in a web page must not work there.
 * The route's declared access is checked right after this.
 */
function authenticateBodyKey(deps: TrackingDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    const body: unknown = request.body
    const writeKey =
      typeof body === 'object' && body !== null && 'writeKey' in body ? body.writeKey : undefined
    if (request.principal !== undefined || typeof writeKey !== 'string') return
    const principal = await authenticateApiKey(deps, writeKey)
    if (principal?.kind !== 'public-key') {
      throw new AppError('unauthorized', 'writeKey must be a valid public key', {
        headers: { 'www-authenticate': 'Bearer realm="custodian"' },
      })
    }
    request.principal = principal
  }
}
