/**
 * Breach: security operations (Art. 32, 33, 34). Detection rules read the audit stream
 * from a stored cursor and raise alerts (log line, audit entry, a webhook through the
 * transfer guard) that can open an incident; the breach register keeps each incident
 * with its 72-hour clock, the Art. 33 and 34 decisions, drafts of both notices, and the
 * affected subjects counted from the audit trail without opening anything.
 */
export { computeAffected, revealAffected } from './affected.service.js'
export { breachAuditActions } from './breach.audit.js'
export type { BreachDeps } from './breach.deps.js'
export { breachJobs } from './breach.jobs.js'
export { selectAllAlerts, selectAllIncidents } from './breach.repository.js'
export { registerBreachRoutes } from './breach.routes.js'
export { loadThresholds, defaultThresholds, parseThresholds } from './breach-rules.js'
export { breachSettings } from './breach.settings.js'
export type {
  BreachAlertsTable,
  BreachDetectionTable,
  BreachIncidentsTable,
} from './breach.table.js'
export { checkBreachClocks } from './clock.service.js'
export { alertView, runDetectionPass } from './detect.js'
export { clockOf } from './incidents.logic.js'
export {
  changeIncident,
  draftsOf,
  getIncident,
  listIncidents,
  openIncident,
  viewOf,
} from './incidents.service.js'
export { type Thresholds } from './rules.logic.js'
