import { Type } from 'typebox'
import type { App } from '../../app.js'
import {
  actorOf,
  principalOf,
  requestContext,
  requires,
  workspaceMember,
} from '../../identity/index.js'
import type { GovernanceDeps } from '../governance.deps.js'
import {
  categoryNamePattern,
  DataMapCategorySchema,
  DataMapEntrySchema,
  DataMapSchema,
} from './data-map.schema.js'
import {
  describeDataMap,
  removeWorkspaceCategory,
  saveWorkspaceCategory,
} from './data-map.service.js'

const tags = ['governance']
const CategoryParams = Type.Object(
  { name: Type.String({ pattern: categoryNamePattern }) },
  { additionalProperties: false },
)

/** The data map: `GET /v1/data-map`, and a workspace's own categories under it. */
export function registerDataMapRoutes(app: App, deps: GovernanceDeps): void {
  const manage = requires('governance:manage')
  app.get(
    '/v1/data-map',
    {
      config: { access: workspaceMember },
      schema: {
        tags,
        summary: "The data map: the instance's categories and the workspace's own",
        response: { 200: DataMapSchema },
      },
    },
    async (request) => describeDataMap(deps, principalOf(request).workspaceId),
  )

  app.put(
    '/v1/data-map/categories/:name',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Add or replace a data category of the workspace’s own',
        params: CategoryParams,
        body: DataMapCategorySchema,
        response: { 200: DataMapEntrySchema },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      return saveWorkspaceCategory(
        deps,
        {
          workspaceId: principal.workspaceId,
          name: request.params.name,
          entry: request.body,
          actor: actorOf(principal),
        },
        requestContext(request),
      )
    },
  )

  app.delete(
    '/v1/data-map/categories/:name',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Remove a data category of the workspace’s own',
        params: CategoryParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      await removeWorkspaceCategory(
        deps,
        {
          workspaceId: principal.workspaceId,
          name: request.params.name,
          actor: actorOf(principal),
        },
        requestContext(request),
      )
      return reply.code(204).send(null)
    },
  )
}
