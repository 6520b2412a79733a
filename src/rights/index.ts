/**
 * Rights: the data subject requests of Chapter III GDPR. Requests with their two clocks
 * (the workspace's promise and the legal month of Art. 12(3)), verification by a mailed
 * code, one action per transition, and fulfilment through the personal-data registry
 * and the consent ledger, never another module's tables.
 */
export { issueAgentExportLink, requestViewsOf } from './agent-links.js'
export { fulfilRequest, liftRestriction } from './fulfil.service.js'
export { rightsPersonalData, rightsTables } from './personal-data.js'
export { rightsJobs, runRightsReminders } from './reminders.js'
export {
  autoFulfilled,
  rejectionArticles,
  type RejectionArticle,
  type RequestStatus,
  requestTypes,
  type RequestType,
} from './request-states.logic.js'
export type { DpoDirectory, RightsDeps, RightsMail, RightsMailer } from './rights.deps.js'
export { registerRightsRoutes } from './rights.routes.js'
export {
  fileRequest,
  type FileRequestInput,
  getRequest,
  listQueue,
  listRequests,
  type RequestView,
  type RightsCaller,
  type RightsContext,
  withdrawRequest,
} from './rights.service.js'
export { holidayCountries, isHolidayCountry, legalCalendarOf } from './holidays.js'
export { legalDueDate, extendedDueDate, mayExtend } from './rights.logic.js'
export { rightsSettings, type RightsSettings } from './rights.settings.js'
export { verifyRequest } from './verification.service.js'
