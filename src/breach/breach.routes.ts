import type { FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { actorOf, IdParams, principalOf, requestContext, requires } from '../identity/index.js'
import { computeAffected, revealAffected } from './affected.service.js'
import type { BreachDeps } from './breach.deps.js'
import { selectAlerts } from './breach.repository.js'
import {
  AffectedSchema,
  AlertListSchema,
  DraftsSchema,
  IncidentChangeBody,
  IncidentListSchema,
  IncidentSchema,
  NewIncidentBody,
  RevealedSchema,
} from './breach.schemas.js'
import { alertView } from './detect.js'
import {
  type BreachCaller,
  changeIncident,
  draftsOf,
  getIncident,
  listIncidents,
  openIncident,
} from './incidents.service.js'

const tags = ['security']

function callerOf(request: FastifyRequest): BreachCaller {
  const principal = principalOf(request)
  return {
    workspaceId: principal.workspaceId,
    actor: actorOf(principal),
    ...requestContext(request),
  }
}

const asList = (nature: string | readonly string[]) =>
  typeof nature === 'string' ? [nature] : nature

/**
 * The breach register (Art. 33(5)) and the detection alerts: `GET/POST /v1/breaches`,
 * `GET/PATCH /v1/breaches/{id}`, its drafts and affected subjects, `GET /v1/alerts`.
 * Reading takes `audit:read`; writing `governance:manage` (owner, admin, DPO); revealing
 * who the affected people are `personal-data:export`, as it opens their profiles.
 */
export function registerBreachRoutes(app: App, deps: BreachDeps): void {
  const read = requires('audit:read')
  const manage = requires('governance:manage')

  app.get(
    '/v1/breaches',
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'The breach register, newest first',
        response: { 200: IncidentListSchema },
      },
    },
    async (request) => ({ data: await listIncidents(deps, principalOf(request).workspaceId) }),
  )

  app.post(
    '/v1/breaches',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Record a breach; its authority deadline is awareness + 72 hours (Art. 33(1))',
        body: NewIncidentBody,
        response: { 201: IncidentSchema },
      },
    },
    async (request, reply) => {
      const body = request.body
      const created = await openIncident(deps, callerOf(request), {
        ...body,
        nature: asList(body.nature),
      })
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/v1/breaches/:id',
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'One incident with its clock',
        params: IdParams,
        response: { 200: IncidentSchema },
      },
    },
    async (request) => getIncident(deps, principalOf(request).workspaceId, request.params.id),
  )

  app.patch(
    '/v1/breaches/:id',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Change an incident: facts, measures, assessment, the Art. 33 and 34 decisions',
        params: IdParams,
        body: IncidentChangeBody,
        response: { 200: IncidentSchema },
      },
    },
    async (request) => {
      const { nature, ...rest } = request.body
      return changeIncident(deps, callerOf(request), request.params.id, {
        ...rest,
        ...(nature === undefined ? {} : { nature: asList(nature) }),
      })
    },
  )

  app.get(
    '/v1/breaches/:id/drafts',
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          "Drafts of the authority notice (Art. 33(3)) and the message to the people affected (Art. 34), in the workspace's language",
        params: IdParams,
        response: { 200: DraftsSchema },
      },
    },
    async (request) => draftsOf(deps, principalOf(request).workspaceId, request.params.id),
  )

  app.post(
    '/v1/breaches/:id/affected',
    {
      config: { access: manage },
      schema: {
        tags,
        summary:
          "Count the affected subjects from the audit trail of the incident's window and actor, by blind reference",
        params: IdParams,
        response: { 200: AffectedSchema },
      },
    },
    async (request) => computeAffected(deps, callerOf(request), request.params.id),
  )

  app.post(
    '/v1/breaches/:id/affected/reveal',
    {
      config: { access: requires('personal-data:export') },
      schema: {
        tags,
        summary: 'Open who the affected people are, to tell them (Art. 34); every read audited',
        params: IdParams,
        response: { 200: RevealedSchema },
      },
    },
    async (request) => revealAffected(deps, callerOf(request), request.params.id),
  )

  app.get(
    '/v1/alerts',
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'The alerts the detection rules raised, with their rule and evidence',
        response: { 200: AlertListSchema },
      },
    },
    async (request) => ({
      data: (await selectAlerts(deps.db, principalOf(request).workspaceId, { limit: 200 })).map(
        alertView,
      ),
    }),
  )
}
