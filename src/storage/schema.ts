import type {
  AuditAnchorTable,
  AuditChainHeadTable,
  AuditEntriesTable,
} from '../audit/audit.table.js'
import type {
  ConsentEventsTable,
  ConsentPoliciesTable,
  ConsentPurposesTable,
  ConsentPurposeTermsTable,
  ConsentStatesTable,
  ConsentSubjectsStored,
} from '../consent/consent.table.js'
import type {
  BlindIndexKeysTable,
  KeyCheckTable,
  ShredEpochTable,
  SubjectKeysTable,
  WorkspaceKeysTable,
} from '../crypto/keys.table.js'
import type {
  ApiKeysTable,
  OperatorsTable,
  OperatorTokensTable,
  RecoveryCodesTable,
  SessionsTable,
  SignInAttemptsTable,
  SignInThrottlesTable,
} from '../identity/identity.table.js'
import type { WorkspacesTable } from '../workspaces/workspaces.table.js'
import type { ContactAttributesTable, ContactsTable } from '../contacts/contacts.table.js'
import type { TrackingEventsTable } from '../tracking/tracking.table.js'
import type {
  SubjectErasuresTable,
  SubjectIdentifiersTable,
  SubjectsTable,
} from '../subjects/subjects.table.js'
import type { JobLeasesTable } from '../jobs/jobs.table.js'
import type {
  RightsLegalHoldsTable,
  RightsRequestEventsTable,
  RightsRequestsTable,
} from '../rights/rights.table.js'
import type { SubprocessorsTable } from '../transfers/subprocessors.table.js'
import type { DataMapExtensionsTable } from '../governance/data-map/data-map.table.js'
import type { WorkspaceSigningKeysTable } from '../signing/signing.table.js'
import type { DpiasTable } from '../governance/dpia/dpia.table.js'
import type {
  InboxAttachmentsTable,
  InboxConversationsTable,
  InboxEnrichmentsTable,
  InboxFindingsTable,
  InboxMessagesTable,
} from '../inbox/inbox.table.js'
import type { DrpAgentsTable, DrpRequestsTable, DrpSeenMessagesTable } from '../drp/drp.table.js'
import type { InstanceTable } from './instance.table.js'
import type {
  BreachAlertsTable,
  BreachDetectionTable,
  BreachIncidentsTable,
} from '../breach/breach.table.js'

/**
 * The database as Kysely sees it: the union of every module's tables. Each module
 * declares its own tables in `<domain>.table.ts` and adds them here; modules never
 * query each other's tables, they call each other's services.
 *
 * Conventions, the same on SQLite and PostgreSQL: ids are text (UUIDv7), times are
 * ISO 8601 UTC text (`Date#toISOString`, so text order is time order), sealed values
 * are binary (`blob` / `bytea`).
 */
export interface DB {
  instance: InstanceTable
  key_check: KeyCheckTable
  shred_epoch: ShredEpochTable
  workspace_keys: WorkspaceKeysTable
  subject_keys: SubjectKeysTable
  blind_index_keys: BlindIndexKeysTable
  audit_entries: AuditEntriesTable
  audit_chain_head: AuditChainHeadTable
  audit_anchor: AuditAnchorTable
  workspaces: WorkspacesTable
  api_keys: ApiKeysTable
  operators: OperatorsTable
  operator_tokens: OperatorTokensTable
  recovery_codes: RecoveryCodesTable
  sessions: SessionsTable
  sign_in_attempts: SignInAttemptsTable
  sign_in_throttles: SignInThrottlesTable
  consent_purposes: ConsentPurposesTable
  consent_purpose_terms: ConsentPurposeTermsTable
  consent_policies: ConsentPoliciesTable
  consent_subjects: ConsentSubjectsStored
  consent_states: ConsentStatesTable
  consent_events: ConsentEventsTable
  contacts: ContactsTable
  contact_attributes: ContactAttributesTable
  tracking_events: TrackingEventsTable
  subjects: SubjectsTable
  subject_identifiers: SubjectIdentifiersTable
  subject_erasures: SubjectErasuresTable
  rights_requests: RightsRequestsTable
  rights_request_events: RightsRequestEventsTable
  rights_legal_holds: RightsLegalHoldsTable
  job_leases: JobLeasesTable
  subprocessors: SubprocessorsTable
  data_map_extensions: DataMapExtensionsTable
  workspace_signing_keys: WorkspaceSigningKeysTable
  dpias: DpiasTable
  inbox_conversations: InboxConversationsTable
  inbox_messages: InboxMessagesTable
  inbox_attachments: InboxAttachmentsTable
  inbox_findings: InboxFindingsTable
  inbox_enrichments: InboxEnrichmentsTable
  drp_agents: DrpAgentsTable
  drp_requests: DrpRequestsTable
  drp_seen_messages: DrpSeenMessagesTable
  breach_incidents: BreachIncidentsTable
  breach_alerts: BreachAlertsTable
  breach_detection: BreachDetectionTable
}
