import { Type } from 'typebox'
import { component } from '../http/component.js'
import type { App } from '../app.js'
import { requestContext } from '../identity/authenticate.js'
import { requires, workspaceMember } from '../identity/access.js'
import { principalOf } from '../identity/authorize.js'
import { actorOf } from '../identity/principal.js'
import { WorkspaceSettingsPatchSchema, WorkspaceSettingsSchema } from './workspaces.logic.js'
import { changeWorkspace, getWorkspace, type WorkspaceDeps } from './workspaces.service.js'

const WorkspaceSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    region: Type.String(),
    settings: WorkspaceSettingsSchema,
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  component('Workspace'),
)

const WorkspacePatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    settings: Type.Optional(WorkspaceSettingsPatchSchema),
  },
  { additionalProperties: false },
)

/** The caller's own workspace: there is no path to any other. */
export function registerWorkspaceRoutes(app: App, deps: WorkspaceDeps): void {
  const tags = ['workspace']
  app.get(
    '/v1/workspace',
    {
      config: { access: workspaceMember },
      schema: {
        tags,
        summary: "The caller's workspace and its settings",
        response: { 200: WorkspaceSchema },
      },
    },
    async (request) => {
      return getWorkspace(deps.db, principalOf(request).workspaceId)
    },
  )

  app.patch(
    '/v1/workspace',
    {
      config: { access: requires('workspace:manage') },
      schema: {
        tags,
        summary: "Change the workspace's name or settings",
        body: WorkspacePatch,
        response: { 200: WorkspaceSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      return changeWorkspace(
        deps,
        { workspaceId: principal.workspaceId, ...request.body, actor: actorOf(principal) },
        requestContext(request),
      )
    },
  )
}
