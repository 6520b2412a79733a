/**
 * Consent: purposes and their lawful bases, policy versions, the append-only consent
 * ledger, and the one decision every processing step asks — `mayProcess`. Other
 * modules use what is exported here, never the consent tables.
 *
 * - capture (tracking, contacts): `mayProcess` / `mayProcessMany` before processing,
 *   `linkIdentifiers` on identify (the subjects module links the identifiers and merges
 *   the subjects; this module folds their choices into one standing),
 *   `recordGpcSignal` when an event carries the signal. Who a person is (their
 *   identifiers, linked subjects) is the subjects module's: import it from there;
 * - rights: `setRestriction`, `setObjection`, `setAutomatedDecisionOptOut`,
 *   `readConsents` for access and portability; erasure and export go through
 *   `consentPersonalData`, the module's source in the personal-data registry;
 * - the HTTP API: `registerConsentRoutes`.
 */
export type { ConsentDeps, ConsentWorkspace, LedgerContext } from './consent.deps.js'
export {
  type AllowReason,
  type DenyReason,
  type LawfulBasis,
  lawfulBases,
  lawfulBasisArticle,
} from './consent.logic.js'
export { consentPersonalData, consentTables } from './personal-data.js'
export { type ConsentSource, consentSources, type LedgerAction } from './ledger.logic.js'
export type { LedgerEvent } from './ledger.rows.js'
export type { LedgerWriteResult } from './ledger.service.js'
export { type LinkInput, type LinkResult, linkIdentifiers } from './link-identifiers.js'
export {
  assertMayProcess,
  type ConsentDecision,
  mayProcess,
  mayProcessMany,
  type MayProcessRequest,
} from './may-process.js'
export { listPolicies, type Policy, publishPolicy } from './policies.service.js'
export type { Purpose } from './purposes.logic.js'
export { changePurpose, createPurpose, findPurpose, listPurposes } from './purposes.service.js'
export { type ConsentsView, readConsents } from './read-consents.js'
export type { ConsentReceipt } from './receipt.logic.js'
export { getReceipt, getSignedReceipt } from './receipts.js'
export { type RecordedConsent, recordConsent } from './record-consent.js'
export {
  type AgeDeclaration,
  declareAge,
  recordGpcSignal,
  recordParentalConsent,
  setAutomatedDecisionOptOut,
  setObjection,
  setRestriction,
} from './record-signals.js'
export { type ConsentRouteDeps, registerConsentRoutes } from './consent.routes.js'
export { consentSettings, type ConsentSettings } from './consent.settings.js'
export { ledgerActions } from './ledger.logic.js'
