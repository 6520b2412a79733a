/**
 * Governance: the data map as code (checked against the personal-data registry at
 * start-up), the records of processing (Art. 30), the privacy notice (Art. 13/14) and
 * the DPIA and risk register (Art. 35). Sub-processors and the transfer guard are the
 * transfers module's. Other modules import only from here.
 */
export { createGovernanceDeps } from './create-governance-deps.js'
export {
  assertDataMapCovers,
  describeUnmapped,
  findUnmappedData,
  type UnmappedData,
} from './data-map/coverage.logic.js'
export type {
  DataMap,
  DataMapCategory,
  DataMapEntry,
  DataMapFile,
} from './data-map/data-map.schema.js'
export { describeDataMap } from './data-map/data-map.service.js'
export { dataMapPath, loadDataMap, parseDataMap } from './data-map/load-data-map.js'
export { governanceJobs, remindOverdueReviews } from './dpia/dpia-reminders.js'
export type { Assessment, AssessmentFields, RiskRegisterEntry } from './dpia/dpia.schema.js'
export {
  changeAssessment,
  createAssessment,
  getAssessment,
  listAssessments,
  riskRegister,
  signOffAssessment,
} from './dpia/dpia.service.js'
export { governanceAuditActions } from './governance.audit.js'
export type { PrivacyNotice } from './notice/notice.schema.js'
export { privacyNotice } from './notice/notice.service.js'
export { type NoticeLanguage, noticeLanguages } from './notice/translations.js'
export { icoControllerColumns, icoTemplate, processorColumns } from './ropa/ico-template.js'
export type { RecordsOfProcessing } from './ropa/ropa.schema.js'
export {
  exportRecords,
  recordsOfProcessing,
  type RopaFormat,
  ropaFormats,
  type RopaRecord,
} from './ropa/ropa.service.js'
export type { GovernanceDeps } from './governance.deps.js'
export { registerGovernanceRoutes } from './governance.routes.js'
