import type { Migration } from 'kysely'
import * as instance from './0001_instance.js'
import * as keys from './0002_keys.js'
import * as audit from './0003_audit.js'
import * as identity from './0004_identity.js'
import * as contacts from './0006_contacts.js'
import * as consent from './0005_consent.js'
import * as tracking from './0007_tracking.js'
import * as shredEpoch from './0008_shred_epoch.js'
import * as decisionStates from './0009_decision_states.js'
import * as purposeTerms from './0010_purpose_terms.js'
import * as signInAttempts from './0011_sign_in_attempts.js'
import * as subjectErasures from './0012_subject_erasures.js'
import * as subjects from './0013_subjects.js'
import * as rights from './0014_rights.js'
import * as jobLeases from './0015_job_leases.js'
import * as subprocessors from './0030_subprocessors.js'
import * as workspaceController from './0031_workspace_controller.js'
import * as signingKeys from './0032_signing_keys.js'
import * as governance from './0033_governance.js'
import * as inbox from './0040_inbox.js'
import * as drp from './0050_drp.js'
import * as rightsAgentExportLink from './0051_rights_agent_export_link.js'
import * as breach from './0070_breach.js'
import * as auditAnchor from './0071_audit_anchor.js'
import * as breachAlertRetries from './0072_breach_alert_retries.js'

/**
 * Every migration, in order. Listed in code rather than read from a folder so the
 * compiled build and the TypeScript sources run the same list. A migration uses only
 * what both SQLite and PostgreSQL understand, or branches on `dialectOf(db)` (from
 * `../column-types.ts`).
 */
export const migrations: Record<string, Migration> = {
  '0001_instance': instance,
  '0002_keys': keys,
  '0003_audit': audit,
  '0004_identity': identity,
  '0005_consent': consent,
  '0006_contacts': contacts,
  '0007_tracking': tracking,
  '0008_shred_epoch': shredEpoch,
  '0009_decision_states': decisionStates,
  '0010_purpose_terms': purposeTerms,
  '0011_sign_in_attempts': signInAttempts,
  '0012_subject_erasures': subjectErasures,
  '0013_subjects': subjects,
  '0014_rights': rights,
  '0015_job_leases': jobLeases,
  '0030_subprocessors': subprocessors,
  '0031_workspace_controller': workspaceController,
  '0032_signing_keys': signingKeys,
  '0033_governance': governance,
  '0040_inbox': inbox,
  '0050_drp': drp,
  '0051_rights_agent_export_link': rightsAgentExportLink,
  '0070_breach': breach,
  '0071_audit_anchor': auditAnchor,
  '0072_breach_alert_retries': breachAlertRetries,
}
