import type { AuditEvent } from '../audit/index.js'
import type { SubjectSealer } from '../crypto/index.js'
import type { LedgerContext } from './consent.deps.js'
import type { PurposeState, SubjectFlags } from './consent.logic.js'
import type {
  ConsentEventsTable,
  ConsentStatesTable,
  ConsentSubjectsTable,
  SubjectFlagColumns,
} from './consent.table.js'
import {
  type ConsentSource,
  grantedOf,
  type LedgerAction,
  type LedgerEntry,
  type Standing,
  type StoredPurposeState,
} from './ledger.logic.js'

/**
 * Between the ledger's domain types and its rows: pure mappings, the sealing of an
 * entry's proof, and the audit event an entry leaves. No I/O.
 */

/** A ledger row as the API shows it; its proof stays sealed. */
export interface LedgerEvent {
  id: string
  subjectId: string
  seq: number
  action: LedgerAction
  purpose: string | null
  granted: boolean | null
  policyVersion: string | null
  source: ConsentSource
  gpc: boolean
  recordedAt: string
  /** The purpose's terms a choice was made under (consent_purpose_terms), if known. */
  purposeTermsSha256: string | null
}

const userAgentLimit = 512

/** A new subject: no flags, no history. */
export function emptySubjectRow(workspaceId: string, id: string, at: string): ConsentSubjectsTable {
  return {
    id,
    workspace_id: workspaceId,
    event_seq: 0,
    restricted_at: null,
    automated_opt_out_at: null,
    gpc_at: null,
    declared_age: null,
    age_declared_at: null,
    parental_consent_at: null,
    created_at: at,
    updated_at: at,
  }
}

export interface EventRowInput {
  workspaceId: string
  subjectId: string
  seq: number
  id: string
  entry: LedgerEntry
  sealer: SubjectSealer
  context: LedgerContext
  at: string
  /** The terms of the entry's purpose, for a grant, withdrawal or objection. */
  purposeTermsSha256?: string | null
}

/** The stored row of one entry, its proof sealed under the subject's key. */
export function eventRow(input: EventRowInput): ConsentEventsTable {
  const { id, entry, sealer, context } = input
  const cell = (column: string) => ({ table: 'consent_events', column, rowId: id })
  const userAgent = context.userAgent?.slice(0, userAgentLimit) ?? null
  return {
    id,
    workspace_id: input.workspaceId,
    subject_id: input.subjectId,
    seq: input.seq,
    action: entry.action,
    purpose: entry.purpose,
    granted: toFlag(grantedOf(entry.action)),
    policy_id: entry.policy?.id ?? null,
    policy_version: entry.policy?.version ?? null,
    source: context.source,
    gpc: entry.gpc ? 1 : 0,
    actor_type: context.actor.actorType,
    actor_id: context.actor.actorId,
    request_id: context.requestId ?? null,
    recorded_at: input.at,
    ip: context.ip == null ? null : sealer.seal(cell('ip'), context.ip),
    user_agent:
      userAgent === null || userAgent === '' ? null : sealer.seal(cell('user_agent'), userAgent),
    evidence:
      entry.evidence === null ? null : sealer.sealJson(cell('evidence'), { ...entry.evidence }),
    purpose_terms_sha256: input.purposeTermsSha256 ?? null,
  }
}

function toFlag(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0
}

export function flagsOf(row: SubjectFlagColumns): SubjectFlags {
  return {
    restrictedAt: row.restricted_at,
    automatedOptOutAt: row.automated_opt_out_at,
    gpcAt: row.gpc_at,
    declaredAge: row.declared_age,
    ageDeclaredAt: row.age_declared_at,
    parentalConsentAt: row.parental_consent_at,
  }
}

export function flagColumns(flags: SubjectFlags): SubjectFlagColumns {
  return {
    restricted_at: flags.restrictedAt,
    automated_opt_out_at: flags.automatedOptOutAt,
    gpc_at: flags.gpcAt,
    declared_age: flags.declaredAge,
    age_declared_at: flags.ageDeclaredAt,
    parental_consent_at: flags.parentalConsentAt,
  }
}

/**
 * The subject row's `decision_states` (see consent.table.ts): each purpose's state as the
 * decision reads it, `[granted 1/0/null, decidedAt, policySeq, objectedAt]`, from the
 * same standing the consent_states rows are written from.
 */
export function decisionStatesOf(purposes: Standing['purposes']): string {
  // fromEntries defines own properties, so even a purpose named __proto__ is kept.
  return JSON.stringify(
    Object.fromEntries([...purposes].map(([purpose, state]) => [purpose, decisionTupleOf(state)])),
  )
}

/** One purpose's entry of `decision_states`, which `decisionStateOf` reads back. */
export function decisionTupleOf(state: PurposeState): unknown[] {
  return [toFlag(state.granted), state.decidedAt, state.policySeq, state.objectedAt]
}

/**
 * One purpose's state as `decision_states -> purpose` yields it: JSON text on SQLite,
 * already parsed on PostgreSQL, null when the subject never touched the purpose.
 */
export function decisionStateOf(stored: unknown): PurposeState | null {
  if (stored === null || stored === undefined) return null
  const tuple: unknown = typeof stored === 'string' ? JSON.parse(stored) : stored
  if (!Array.isArray(tuple) || tuple.length !== 4) {
    throw new Error('A decision state is not [granted, decidedAt, policySeq, objectedAt]')
  }
  const [granted, decidedAt, policySeq, objectedAt] = tuple as [
    number | null,
    string | null,
    number | null,
    string | null,
  ]
  if (granted === null && decidedAt === null && objectedAt === null) return null
  return { granted: granted === null ? null : granted === 1, decidedAt, policySeq, objectedAt }
}

export function stateOf(row: ConsentStatesTable): StoredPurposeState {
  return {
    purpose: row.purpose,
    granted: row.granted === null ? null : row.granted === 1,
    decidedAt: row.decided_at,
    policySeq: row.policy_seq,
    policyId: row.policy_id,
    policyVersion: row.policy_version,
    objectedAt: row.objected_at,
    lastEventId: row.last_event_id,
  }
}

export function stateRow(
  workspaceId: string,
  subjectId: string,
  state: StoredPurposeState,
  at: string,
): ConsentStatesTable {
  return {
    workspace_id: workspaceId,
    subject_id: subjectId,
    purpose: state.purpose,
    granted: toFlag(state.granted),
    decided_at: state.decidedAt,
    policy_id: state.policyId,
    policy_seq: state.policySeq,
    policy_version: state.policyVersion,
    objected_at: state.objectedAt,
    last_event_id: state.lastEventId,
    updated_at: at,
  }
}

export function standingOf(
  subject: ConsentSubjectsTable,
  states: readonly ConsentStatesTable[],
): Standing {
  return {
    flags: flagsOf(subject),
    purposes: new Map(states.map((row) => [row.purpose, stateOf(row)])),
  }
}

export function toLedgerEvent(row: ConsentEventsTable): LedgerEvent {
  return {
    id: row.id,
    subjectId: row.subject_id,
    seq: row.seq,
    // Written only from the LedgerAction and ConsentSource unions above.
    action: row.action as LedgerAction,
    purpose: row.purpose,
    granted: row.granted === null ? null : row.granted === 1,
    policyVersion: row.policy_version,
    source: row.source as ConsentSource,
    gpc: row.gpc === 1,
    recordedAt: row.recorded_at,
    purposeTermsSha256: row.purpose_terms_sha256,
  }
}

export function auditEventOf(
  workspaceId: string,
  event: LedgerEvent,
  context: LedgerContext,
): AuditEvent {
  return {
    workspaceId,
    actor: context.actor,
    action: `consent.${event.action}`,
    resource: { type: 'consent_event', id: event.id },
    subjectId: event.subjectId,
    purpose: event.purpose,
    outcome: 'succeeded',
    requestId: context.requestId ?? null,
    ip: context.callerIp ?? null,
    details: {
      source: event.source,
      gpc: event.gpc,
      ...(event.policyVersion === null ? {} : { policyVersion: event.policyVersion }),
    },
  }
}
