/**
 * The audit log: an append-only, hash-chained record of every read, export, change and
 * deletion of personal data and every security event. Other modules record through
 * `AuditLog.record` (or `recordInTransaction`), with `auditContextOf(request)` for the
 * who/where of an HTTP request; `verify` checks the chain end to end. Each module names
 * the actions it writes in its own `<module>.audit.ts` catalogue, joined in
 * `audit-actions.ts`: `AuditAction` is that closed set.
 */
export type { AuditActionCatalogue, AuditActionEntry } from './action-catalogue.js'
export { type AuditAction, auditActions, isAuditAction } from './audit-actions.js'
export {
  type ActorType,
  actorTypes,
  type AuditDetails,
  type AuditDetailValue,
  type AuditEvent,
  type AuditOutcome,
  outcomes,
  platformSubjectId,
  platformWorkspaceId,
} from './audit.logic.js'
export { type AuditRouteDeps, registerAuditRoutes } from './audit.routes.js'
export {
  type AuditLog,
  type AuditLogDeps,
  type AuditReader,
  createAuditLog,
  type ListOptions,
  type PreparedEntries,
} from './audit.service.js'
export type { RecordedEntry } from './appender.js'
export type { BreakReason, ChainBreak } from './chain.logic.js'
export type { AuditPage, ListEntriesQuery } from './list-entries.js'
export type { AuditEntryView } from './page.logic.js'
export type { VerifyOptions, VerifyProgress, VerifyReport } from './verify-chain.js'
export { auditPersonalData, auditTables } from './personal-data.js'
export {
  openStreamIps,
  readActorTrail,
  readAuditStream,
  type StreamCursor,
  type StreamEntry,
  type StreamPage,
  subjectRefOf,
  type TrailEntry,
} from './read-stream.js'
