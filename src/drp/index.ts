/**
 * The Data Rights Protocol 1.0 door (Consumer Reports Innovation Lab): authorised agents
 * file data subject requests for people with signed messages; each becomes a rights
 * request of the matching type, its status pushed back to the agent. Carries all seven
 * GDPR rights as Custodian's GDPR profile (`regime: "gdpr"`). Other modules import only
 * from here.
 */
export { drpJobs, runDrpCallbacks } from './callbacks.js'
export { drpAuditActions } from './drp.audit.js'
export type { DrpDeps } from './drp.deps.js'
export { registerDrpRoutes } from './drp.routes.js'
export { drpSettings, type DrpSettings } from './drp.settings.js'
export { drpPersonalData, drpTables } from './personal-data.js'
export type { CallbackTransfer, TransferGuard } from './transfer-seam.js'
