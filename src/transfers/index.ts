/**
 * Transfers: the sub-processor registry (Art. 28) and the transfer guard (Chapter V,
 * DESIGN principle 6), the one function every outbound path calls before personal data
 * leaves the instance, with the Commission's adequacy decisions kept as dated data.
 * Other modules import only from here.
 */
export { adequacyDecisionAt, adequacyDecisions, adequacySource } from './adequacy.js'
export { guardMailRelay, mailCategories } from './mail-relay-guard.js'
export { countriesOfRegion, eeaCountries, isInEea } from './regions.js'
export { subprocessorDefaults } from './subprocessor-defaults.js'
export {
  NewSubprocessorBody,
  type NewSubprocessor,
  type Subprocessor,
  type SubprocessorChange,
  SubprocessorChangeBody,
  type SubprocessorFields,
} from './subprocessors.schemas.js'
export {
  changeSubprocessor,
  getSubprocessor,
  listSubprocessors,
  type RegistryCaller,
  registerSubprocessor,
  type SubprocessorView,
} from './subprocessors.service.js'
export { type ApprovedTransfer, guardTransfer, type TransferRequest } from './transfer-guard.js'
export {
  decideTransfer,
  type RefusalReason,
  refusalReasons,
  type TransferDecision,
  type TransferKind,
  transferKinds,
} from './transfer-guard.logic.js'
export { transfersAuditActions } from './transfers.audit.js'
export type { TransferDeps } from './transfers.deps.js'
export { registerTransferRoutes } from './transfers.routes.js'
