import { Type } from 'typebox'
import { component } from '../http/index.js'
import type { App } from '../app.js'
import { requestContext } from '../identity/index.js'
import { requires, workspaceMember } from '../identity/index.js'
import { principalOf } from '../identity/index.js'
import { actorOf } from '../identity/index.js'
import type { ComposedSettings } from './compose-settings.js'
import { ControllerSchema } from './controller.js'
import { changeWorkspace, describeWorkspace, type WorkspaceDeps } from './workspaces.service.js'

/** The workspace as the API shows it; its settings are every module's fields. */
function workspaceSchemaOf(settings: ComposedSettings) {
  return Type.Object(
    {
      id: Type.String(),
      name: Type.String(),
      region: Type.String(),
      settings: settings.schema,
      controller: Type.Union([ControllerSchema, Type.Null()], {
        description:
          'Who the workspace is as a controller (Art. 13(1)(a)-(b), 30(1)(a)); null until recorded',
      }),
      createdAt: Type.String(),
      updatedAt: Type.String(),
    },
    component('Workspace'),
  )
}

function workspacePatchOf(settings: ComposedSettings) {
  return Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      settings: Type.Optional(settings.patchSchema),
      controller: Type.Optional(ControllerSchema),
    },
    { additionalProperties: false },
  )
}

/** The caller's own workspace: there is no path to any other. */
export function registerWorkspaceRoutes(app: App, deps: WorkspaceDeps): void {
  const tags = ['workspace']
  const WorkspaceSchema = workspaceSchemaOf(deps.settings)
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
      return describeWorkspace(deps, principalOf(request).workspaceId)
    },
  )

  app.patch(
    '/v1/workspace',
    {
      config: { access: requires('workspace:manage') },
      schema: {
        tags,
        summary: "Change the workspace's name, settings or controller record",
        description:
          'A `controller` given replaces the recorded one whole: every field is required but `representative`.',
        body: workspacePatchOf(deps.settings),
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
