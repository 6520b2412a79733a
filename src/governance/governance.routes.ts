import type { App } from '../app.js'
import { registerDataMapRoutes } from './data-map/data-map.routes.js'
import type { GovernanceDeps } from './governance.deps.js'

/** Every governance route: the data map, records of processing, the notice, DPIAs. */
export function registerGovernanceRoutes(app: App, deps: GovernanceDeps): void {
  registerDataMapRoutes(app, deps)
}
