import { Type } from 'typebox'
import type { App } from '../app.js'
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.js'
import { requestContext } from './authenticate.js'
import { requires } from './access.js'
import { principalOf } from './authorize.js'
import type { IdentityDeps } from './identity.deps.js'
import {
  ApiKeySchema,
  ChangeOperatorBody,
  CreateApiKeyBody,
  CreatedApiKeySchema,
  CreatedOperatorSchema,
  CreateOperatorBody,
  IdParams,
  OperatorSchema,
} from './identity.schemas.js'
import { changeRole, createOperator, disableOperator } from './operators.service.js'
import { actorOf } from './principal.js'
import { readOperator, readOperators } from './read-operators.js'

/** A workspace's operators and API keys, managed by its owners and admins. */
export function registerOperatorRoutes(app: App, deps: IdentityDeps): void {
  const tags = ['operators']
  const manage = { config: { access: requires('operators:manage') } }

  app.get(
    '/v1/operators',
    {
      ...manage,
      schema: {
        tags,
        summary: "The workspace's operators",
        response: { 200: Type.Object({ data: Type.Array(OperatorSchema) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const who = { workspaceId: principal.workspaceId, actor: actorOf(principal) }
      return { data: await readOperators(deps, who, requestContext(request)) }
    },
  )

  app.post(
    '/v1/operators',
    {
      ...manage,
      schema: {
        tags,
        summary: 'Invite an operator; returns a one-time setup link',
        body: CreateOperatorBody,
        response: { 201: CreatedOperatorSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const created = await createOperator(
        deps,
        { ...request.body, workspaceId: principal.workspaceId, actor: actorOf(principal) },
        requestContext(request),
      )
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/v1/operators/:id',
    {
      ...manage,
      schema: {
        tags,
        summary: 'One operator',
        params: IdParams,
        response: { 200: OperatorSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const who = { workspaceId: principal.workspaceId, actor: actorOf(principal) }
      return readOperator(deps, who, request.params.id, requestContext(request))
    },
  )

  app.patch(
    '/v1/operators/:id',
    {
      ...manage,
      schema: {
        tags,
        summary: "Change an operator's role",
        params: IdParams,
        body: ChangeOperatorBody,
        response: { 200: OperatorSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      return changeRole(
        deps,
        {
          workspaceId: principal.workspaceId,
          operatorId: request.params.id,
          role: request.body.role,
          actor: actorOf(principal),
        },
        requestContext(request),
      )
    },
  )

  app.delete(
    '/v1/operators/:id',
    {
      ...manage,
      schema: {
        tags,
        summary: 'Disable an operator and end their sessions',
        params: IdParams,
        response: { 200: OperatorSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      return disableOperator(
        deps,
        {
          workspaceId: principal.workspaceId,
          operatorId: request.params.id,
          actor: actorOf(principal),
        },
        requestContext(request),
      )
    },
  )

  const keys = { config: { access: requires('keys:manage') } }
  const keyTags = ['api-keys']

  app.get(
    '/v1/api-keys',
    {
      ...keys,
      schema: {
        tags: keyTags,
        summary: "The workspace's API keys (never the keys themselves)",
        response: { 200: Type.Object({ data: Type.Array(ApiKeySchema) }) },
      },
    },
    async (request) => ({ data: await listApiKeys(deps.db, principalOf(request).workspaceId) }),
  )

  app.post(
    '/v1/api-keys',
    {
      ...keys,
      schema: {
        tags: keyTags,
        summary: 'Create an API key; the key is shown once',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKeySchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const created = await createApiKey(
        deps,
        { ...request.body, workspaceId: principal.workspaceId, actor: actorOf(principal) },
        requestContext(request),
      )
      return reply.code(201).send(created)
    },
  )

  app.delete(
    '/v1/api-keys/:id',
    {
      ...keys,
      schema: {
        tags: keyTags,
        summary: 'Revoke an API key',
        params: IdParams,
        response: { 200: ApiKeySchema },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      return revokeApiKey(
        deps,
        {
          workspaceId: principal.workspaceId,
          apiKeyId: request.params.id,
          actor: actorOf(principal),
        },
        requestContext(request),
      )
    },
  )
}
