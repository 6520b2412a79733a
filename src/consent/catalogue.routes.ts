import { Type } from 'typebox'
import type { App } from '../app.js'
import { requestContext } from '../identity/index.js'
import { requires } from '../identity/index.js'
import { principalOf } from '../identity/index.js'
import { actorOf } from '../identity/index.js'
import type { ConsentDeps } from './consent.deps.js'
import {
  ChangePurposeBody,
  CreatePurposeBody,
  PolicySchema,
  PublishPolicyBody,
  PurposeParams,
  PurposeSchema,
} from './consent.schemas.js'
import { listPolicies, publishPolicy } from './policies.service.js'
import { changePurpose, createPurpose, listPurposes } from './purposes.service.js'

/**
 * Purposes and policy versions. Reading them is open to the public key: the SDK shows
 * each purpose's description and the current notice where the end-user chooses, and
 * neither holds personal data. Changing them takes `consent:manage`.
 */
export function registerCatalogueRoutes(app: App, deps: ConsentDeps): void {
  const tags = ['consent']
  const read = { config: { access: requires('personal-data:read', { publicKey: true }) } }
  const manage = { config: { access: requires('consent:manage') } }

  app.get(
    '/v1/purposes',
    {
      ...read,
      schema: {
        tags,
        summary: "The workspace's purposes, each with its lawful basis (Art. 6(1))",
        response: { 200: Type.Object({ data: Type.Array(PurposeSchema) }) },
      },
    },
    async (request) => ({ data: await listPurposes(deps.db, principalOf(request).workspaceId) }),
  )

  app.post(
    '/v1/purposes',
    {
      ...manage,
      schema: {
        tags,
        summary: 'Add a purpose of the workspace’s own',
        body: CreatePurposeBody,
        response: { 201: PurposeSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const {
        name,
        lawfulBasis,
        description,
        dataCategories,
        directMarketing,
        automatedDecisions,
      } = request.body
      const purpose = await createPurpose(
        deps,
        {
          workspaceId: principal.workspaceId,
          name,
          lawfulBasis,
          description,
          ...(dataCategories === undefined ? {} : { dataCategories }),
          ...(directMarketing === undefined ? {} : { directMarketing }),
          ...(automatedDecisions === undefined ? {} : { automatedDecisions }),
          actor: actorOf(principal),
        },
        requestContext(request),
      )
      return reply.code(201).send(purpose)
    },
  )

  app.patch(
    '/v1/purposes/:name',
    {
      ...manage,
      schema: {
        tags,
        summary: 'Change a purpose: its lawful basis (audited), description or flags',
        params: PurposeParams,
        body: ChangePurposeBody,
        response: { 200: PurposeSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const { lawfulBasis, description, dataCategories, directMarketing, automatedDecisions } =
        request.body
      return changePurpose(
        deps,
        {
          workspaceId: principal.workspaceId,
          name: request.params.name,
          patch: {
            ...(lawfulBasis === undefined ? {} : { lawfulBasis }),
            ...(description === undefined ? {} : { description }),
            ...(dataCategories === undefined ? {} : { dataCategories }),
            ...(directMarketing === undefined ? {} : { directMarketing }),
            ...(automatedDecisions === undefined ? {} : { automatedDecisions }),
          },
          actor: actorOf(principal),
        },
        requestContext(request),
      )
    },
  )

  app.get(
    '/v1/policies',
    {
      ...read,
      schema: {
        tags,
        summary: 'Published policy versions, newest first',
        response: { 200: Type.Object({ data: Type.Array(PolicySchema) }) },
      },
    },
    async (request) => ({ data: await listPolicies(deps.db, principalOf(request).workspaceId) }),
  )

  app.post(
    '/v1/policies',
    {
      ...manage,
      schema: {
        tags,
        summary: 'Publish a policy version; it can ask consent again for some purposes',
        body: PublishPolicyBody,
        response: { 201: PolicySchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { version, url, text, reconsentPurposes } = request.body
      const policy = await publishPolicy(
        deps,
        {
          workspaceId: principal.workspaceId,
          version,
          url,
          ...(text === undefined ? {} : { text }),
          ...(reconsentPurposes === undefined ? {} : { reconsentPurposes }),
          actor: actorOf(principal),
        },
        requestContext(request),
      )
      return reply.code(201).send(policy)
    },
  )
}
