import type { App } from '../app.js'
import { registerDataMapRoutes } from './data-map/data-map.routes.js'
import { registerDpiaRoutes } from './dpia/dpia.routes.js'
import type { GovernanceDeps } from './governance.deps.js'
import { registerNoticeRoutes } from './notice/notice.routes.js'
import { registerRopaRoutes } from './ropa/ropa.routes.js'

/** Every governance route: the data map, records of processing, the notice, DPIAs. */
export function registerGovernanceRoutes(app: App, deps: GovernanceDeps): void {
  registerDataMapRoutes(app, deps)
  registerRopaRoutes(app, deps)
  registerDpiaRoutes(app, deps)
  registerNoticeRoutes(app, deps)
}
