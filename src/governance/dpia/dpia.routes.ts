import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { App } from '../../app.js'
import { actorOf, IdParams, principalOf, requestContext, requires } from '../../identity/index.js'
import type { GovernanceDeps } from '../governance.deps.js'
import {
  AssessmentFieldsSchema,
  AssessmentSchema,
  RiskRegisterEntrySchema,
  SignOffSchema,
} from './dpia.schema.js'
import {
  changeAssessment,
  createAssessment,
  type DpiaCaller,
  getAssessment,
  listAssessments,
  riskRegister,
  signOffAssessment,
} from './dpia.service.js'

const tags = ['governance']

function callerOf(request: FastifyRequest): DpiaCaller {
  const principal = principalOf(request)
  return {
    workspaceId: principal.workspaceId,
    actor: actorOf(principal),
    isDpo: principal.kind === 'operator' && principal.role === 'dpo',
  }
}

/**
 * The DPIA register and the risk register (Art. 35): `GET/POST /v1/dpias`,
 * `GET/PATCH /v1/dpias/{id}`, `POST /v1/dpias/{id}/sign-off` (the DPO only) and
 * `GET /v1/risks`. Risks describe weaknesses, so reading them takes
 * `governance:manage` too.
 */
export function registerDpiaRoutes(app: App, deps: GovernanceDeps): void {
  const access = requires('governance:manage')
  app.get(
    '/v1/dpias',
    {
      config: { access },
      schema: {
        tags,
        summary:
          "The DPIA register, the instance's own DPIA first; ?overdue=true for overdue reviews",
        querystring: Type.Object(
          { overdue: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(AssessmentSchema) }) },
      },
    },
    async (request) => ({
      data: await listAssessments(deps, principalOf(request).workspaceId, {
        overdueOnly: request.query.overdue === true,
      }),
    }),
  )

  app.get(
    '/v1/dpias/:id',
    {
      config: { access },
      schema: { tags, summary: 'One DPIA', params: IdParams, response: { 200: AssessmentSchema } },
    },
    async (request) => getAssessment(deps, principalOf(request).workspaceId, request.params.id),
  )

  app.post(
    '/v1/dpias',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Add a DPIA: processing, necessity, proportionality, risks and measures',
        body: AssessmentFieldsSchema,
        response: { 201: AssessmentSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await createAssessment(deps, callerOf(request), request.body, requestContext(request)),
        ),
  )

  app.patch(
    '/v1/dpias/:id',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Change a DPIA; a signed-off one becomes a draft again',
        params: IdParams,
        body: Type.Partial(AssessmentFieldsSchema, {
          additionalProperties: false,
          minProperties: 1,
        }),
        response: { 200: AssessmentSchema },
      },
    },
    async (request) =>
      changeAssessment(
        deps,
        callerOf(request),
        request.params.id,
        request.body,
        requestContext(request),
      ),
  )

  app.post(
    '/v1/dpias/:id/sign-off',
    {
      config: { access },
      schema: {
        tags,
        summary: "The DPO's sign-off (Art. 35(2)), with the next review date",
        params: IdParams,
        body: SignOffSchema,
        response: { 200: AssessmentSchema },
      },
    },
    async (request) =>
      signOffAssessment(
        deps,
        callerOf(request),
        request.params.id,
        request.body,
        requestContext(request),
      ),
  )

  app.get(
    '/v1/risks',
    {
      config: { access },
      schema: {
        tags,
        summary: 'The risk register: every risk of every DPIA, highest residual score first',
        response: { 200: Type.Object({ data: Type.Array(RiskRegisterEntrySchema) }) },
      },
    },
    async (request) => ({ data: await riskRegister(deps, principalOf(request).workspaceId) }),
  )
}
