import type { FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import {
  actorOf,
  IdParams,
  principalOf,
  requestContext,
  requires,
  workspaceMember,
} from '../identity/index.js'
import {
  NewSubprocessorBody,
  SubprocessorChangeBody,
  SubprocessorListSchema,
  SubprocessorSchema,
} from './subprocessors.schemas.js'
import {
  changeSubprocessor,
  getSubprocessor,
  listSubprocessors,
  type RegistryCaller,
  registerSubprocessor,
} from './subprocessors.service.js'
import type { TransferDeps } from './transfers.deps.js'

const tags = ['governance']

function callerOf(request: FastifyRequest): RegistryCaller {
  const principal = principalOf(request)
  return { workspaceId: principal.workspaceId, actor: actorOf(principal) }
}

/**
 * The sub-processor registry (Art. 28(2), (4)): `GET/POST /v1/subprocessors`,
 * `GET/PATCH /v1/subprocessors/{id}`. Every member reads it (who receives the data is
 * no secret inside the workspace); changing it takes `governance:manage`.
 */
export function registerTransferRoutes(app: App, deps: TransferDeps): void {
  const manage = requires('governance:manage')
  app.get(
    '/v1/subprocessors',
    {
      config: { access: workspaceMember },
      schema: {
        tags,
        summary: "The workspace's sub-processors and the instance's, with the guard's answer",
        response: { 200: SubprocessorListSchema },
      },
    },
    async (request) => ({ data: await listSubprocessors(deps, principalOf(request).workspaceId) }),
  )

  app.get(
    '/v1/subprocessors/:id',
    {
      config: { access: workspaceMember },
      schema: {
        tags,
        summary: 'One sub-processor',
        params: IdParams,
        response: { 200: SubprocessorSchema },
      },
    },
    async (request) => getSubprocessor(deps, principalOf(request).workspaceId, request.params.id),
  )

  app.post(
    '/v1/subprocessors',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Register a sub-processor: its DPA, transfer mechanism and measures',
        body: NewSubprocessorBody,
        response: { 201: SubprocessorSchema },
      },
    },
    async (request, reply) => {
      const created = await registerSubprocessor(
        deps,
        callerOf(request),
        request.body,
        requestContext(request),
      )
      return reply.code(201).send(created)
    },
  )

  app.patch(
    '/v1/subprocessors/:id',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: "Change a sub-processor's entry (the fields named replace the stored ones)",
        params: IdParams,
        body: SubprocessorChangeBody,
        response: { 200: SubprocessorSchema },
      },
    },
    async (request) =>
      changeSubprocessor(
        deps,
        callerOf(request),
        request.params.id,
        request.body,
        requestContext(request),
      ),
  )
}
