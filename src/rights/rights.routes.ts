import type { FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { AppError } from '../errors.js'
import {
  actorOf,
  anyone,
  IdParams,
  principalOf,
  requestContext,
  requires,
} from '../identity/index.js'
import { isId } from '../ids.js'
import { streamExport, streamExportByToken } from './export-download.js'
import { fulfilRequest, liftRestriction } from './fulfil.service.js'
import { listHolds, liftHold, placeHold } from './legal-holds.service.js'
import { autoFulfilled } from './request-states.logic.js'
import type { RightsDeps } from './rights.deps.js'
import {
  FiledSchema,
  FileRequestBody,
  FulfilBody,
  HoldBody,
  HoldListSchema,
  HoldSchema,
  HoldsQuery,
  ListRequestsQuery,
  OptionalReasonBody,
  ReasonBody,
  RejectBody,
  RequestDetailSchema,
  RequestPageSchema,
  RequestSchema,
  TokenParams,
  VerifyBody,
} from './rights.schemas.js'
import {
  extendRequest,
  fileRequest,
  filedViewOf,
  getRequest,
  listRequests,
  rejectRequest,
  type RequestView,
  type RightsCaller,
  withdrawRequest,
} from './rights.service.js'
import { resendCode, verifyRequest } from './verification.service.js'

const tags = ['rights']

function callerOf(request: FastifyRequest): RightsCaller {
  const principal = principalOf(request)
  return {
    workspaceId: principal.workspaceId,
    principal: principal.kind,
    actor: actorOf(principal),
  }
}

function encodeCursor(view: { dueAt: string; id: string }): string {
  return Buffer.from(`${view.dueAt}|${view.id}`).toString('base64url')
}

function decodeCursor(cursor: string | undefined): { dueAt: string; id: string } | undefined {
  if (cursor === undefined) return undefined
  const [dueAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (dueAt === undefined || id === undefined || !isId(id) || Number.isNaN(Date.parse(dueAt))) {
    throw new AppError('invalid_request', 'The cursor is not one this API gave out')
  }
  return { dueAt, id }
}

/**
 * Data subject requests: `POST/GET /v1/rights/requests`, one request with its timeline,
 * and one endpoint per action (verify, code, fulfil, reject, withdraw, extend,
 * lift-restriction, export); legal holds; and the download a person's mail links to.
 * The public key is the privacy portal's door: it may file and verify, nothing more.
 */
export function registerRightsRoutes(app: App, deps: RightsDeps): void {
  const manage = requires('rights:manage')
  const portal = requires('rights:manage', { publicKey: true })

  app.post(
    '/v1/rights/requests',
    {
      config: { access: portal },
      schema: {
        tags,
        summary:
          "File a data subject request: by an operator or secret key on the person's behalf, or by the person through the public key (always verified by a mailed code)",
        body: FileRequestBody,
        response: { 201: FiledSchema },
      },
    },
    async (request, reply) => {
      const view = await fileRequest(deps, callerOf(request), request.body, requestContext(request))
      return reply
        .code(201)
        .header('location', `/v1/rights/requests/${view.id}`)
        .send(filedViewOf(view))
    },
  )

  app.get(
    '/v1/rights/requests',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'The request queue, soonest due first; filter by status, type, overdue',
        querystring: ListRequestsQuery,
        response: { 200: RequestPageSchema },
      },
    },
    async (request) => {
      const { status, type, overdue, limit = 50, cursor } = request.query
      const after = decodeCursor(cursor)
      const page = await listRequests(deps, callerOf(request).workspaceId, {
        limit,
        ...(status !== undefined ? { status } : {}),
        ...(type !== undefined ? { type } : {}),
        ...(overdue !== undefined ? { overdue } : {}),
        ...(after !== undefined ? { after } : {}),
      })
      const last = page.data.at(-1)
      return { data: page.data, nextCursor: page.more && last ? encodeCursor(last) : null }
    },
  )

  app.get(
    '/v1/rights/requests/:id',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'One request: its subject, details, notes and full timeline (audited)',
        params: IdParams,
        response: { 200: RequestDetailSchema },
      },
    },
    async (request) =>
      getRequest(deps, callerOf(request), request.params.id, requestContext(request)),
  )

  app.post(
    '/v1/rights/requests/:id/verify',
    {
      config: { access: portal },
      schema: {
        tags,
        summary:
          'Confirm the requester: {code} from the mail (the person, through the public key), or {reason} from an operator',
        params: IdParams,
        body: VerifyBody,
        response: { 200: FiledSchema },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const context = requestContext(request)
      let view = await verifyRequest(deps, caller, request.params.id, request.body, context)
      // Access and portability need no judgement: once the person is confirmed, the
      // answer goes out at once (the statements promise a week; this takes seconds).
      if (autoFulfilled(view.type) && view.status === 'in-progress') {
        view = await fulfilRequest(
          deps,
          { ...caller, principal: 'system', actor: { actorType: 'system', actorId: null } },
          view.id,
          {},
          context,
        )
      }
      return filedViewOf(view)
    },
  )

  app.post(
    '/v1/rights/requests/:id/code',
    {
      config: { access: portal },
      schema: {
        tags,
        summary: 'Mail a new verification code (the last one expired or ran out of attempts)',
        params: IdParams,
        response: { 200: FiledSchema },
      },
    },
    async (request) =>
      filedViewOf(
        await resendCode(deps, callerOf(request), request.params.id, requestContext(request)),
      ),
  )

  const action = (
    path: string,
    summary: string,
    body: typeof FulfilBody | typeof RejectBody | typeof ReasonBody | typeof OptionalReasonBody,
    run: (
      caller: RightsCaller,
      id: string,
      body: never,
      context: ReturnType<typeof requestContext>,
    ) => Promise<RequestView>,
  ) =>
    app.post(
      `/v1/rights/requests/:id/${path}`,
      {
        config: { access: manage },
        schema: { tags, summary, params: IdParams, body, response: { 200: RequestSchema } },
      },
      async (request) =>
        run(callerOf(request), request.params.id, request.body as never, requestContext(request)),
    )

  action(
    'fulfil',
    'Carry out a verified request through the registry; a failure stays on the request and this retries it',
    FulfilBody,
    (caller, id, body: { compellingGrounds?: Record<string, string> }, context) =>
      fulfilRequest(deps, caller, id, body, context),
  )
  action(
    'reject',
    'Refuse a request with its ground: Art. 12(5), 11(2)/12(6), or the article of its right',
    RejectBody,
    (caller, id, body: { reason: string; article: string }, context) =>
      rejectRequest(deps, caller, id, body, context),
  )
  action(
    'withdraw',
    'The person withdrew the request',
    OptionalReasonBody,
    (caller, id, body: { reason?: string }, context) =>
      withdrawRequest(deps, caller, id, body, context),
  )
  action(
    'extend',
    'Extend the answer period by two months (Art. 12(3)), before the legal due date; the person is told',
    ReasonBody,
    (caller, id, body: { reason: string }, context) =>
      extendRequest(deps, caller, id, body, context),
  )
  action(
    'lift-restriction',
    'Lift a restriction of processing, after the person is told (Art. 18(3))',
    OptionalReasonBody,
    (caller, id, _body: unknown, context) => liftRestriction(deps, caller, id, context),
  )

  app.get(
    '/v1/rights/requests/:id/export',
    {
      config: { access: requires('personal-data:export') },
      schema: {
        tags,
        summary: 'The access or portability export of a completed request, as a ZIP (audited)',
        params: IdParams,
        produces: ['application/zip'],
      },
    },
    async (request, reply) =>
      streamExport(deps, callerOf(request), request.params.id, reply, requestContext(request)),
  )

  app.get(
    '/v1/rights/exports/:token',
    {
      config: { access: anyone },
      schema: {
        tags,
        summary:
          "The person's download, from the link in their mail: works until it expires (7 days), each download audited",
        params: TokenParams,
        produces: ['application/zip'],
      },
    },
    async (request, reply) =>
      streamExportByToken(deps, request.params.token, reply, requestContext(request)),
  )

  app.post(
    '/v1/rights/holds',
    {
      config: { access: manage },
      schema: {
        tags,
        summary:
          "Place a legal hold on a person's data (Art. 17(3)(b), (e)): erasure is refused while it stands",
        body: HoldBody,
        response: { 201: HoldSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await placeHold(deps, callerOf(request), request.body, requestContext(request))),
  )

  app.get(
    '/v1/rights/holds',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Legal holds in force (or all, with includeLifted)',
        querystring: HoldsQuery,
        response: { 200: HoldListSchema },
      },
    },
    async (request) => ({
      data: await listHolds(
        deps,
        callerOf(request).workspaceId,
        request.query.includeLifted ?? false,
      ),
    }),
  )

  app.delete(
    '/v1/rights/holds/:id',
    {
      config: { access: manage },
      schema: { tags, summary: 'Lift a legal hold', params: IdParams },
    },
    async (request, reply) => {
      await liftHold(deps, callerOf(request), request.params.id, requestContext(request))
      return reply.code(204).send()
    },
  )
}
