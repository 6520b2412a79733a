/**
 * Workspaces: the tenants (controllers), their region, and their settings composed from
 * each module's own fragment. Other modules import only from here.
 */
export { composeSettings, type ComposedSettings } from './compose-settings.js'
export { privacyNoticePath } from './public-paths.js'
export {
  type Controller,
  ControllerSchema,
  PostalAddressSchema,
  readController,
} from './controller.js'
export {
  defineSettingsFragment,
  retentionPeriods,
  type SettingsDocument,
  type SettingsOf,
} from './settings-fragment.js'
export { registerWorkspaceRoutes } from './workspaces.routes.js'
export {
  createWorkspace,
  getWorkspace,
  listAllWorkspaces,
  workspaceDirectory,
  type Workspace,
  type WorkspaceDeps,
  type WorkspaceView,
} from './workspaces.service.js'
