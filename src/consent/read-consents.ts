import type { SubjectSealer } from '../crypto/index.js'
import type { JsonValue } from '../crypto/index.js'
import type { Actor } from '../identity/index.js'
import type { ConsentDeps, ConsentWorkspace } from './consent.deps.js'
import { consentSettings } from './consent.settings.js'
import { findLinkedSubjects, type SubjectIdentifier } from '../subjects/index.js'
import { countEvents, selectEvents, selectStates, selectSubject } from './consent.repository.js'
import type { ConsentEventsTable } from './consent.table.js'
import { purposeActions } from './ledger.logic.js'
import { type LedgerEvent, standingOf, toLedgerEvent } from './ledger.rows.js'
import { listPurposes } from './purposes.service.js'
import {
  flagsViewOf,
  type PurposeView,
  purposeViewOf,
  type SubjectFlagsView,
} from './views.logic.js'

/** Who reads, for the audit entry every read of consent records leaves. */
export interface ConsentReader {
  actor: Actor
  requestId?: string | null
  ip?: string | null
}

/** The proof of one entry, opened for a reader allowed to see it. */
export interface EventProof {
  ip: string | null
  userAgent: string | null
  evidence: JsonValue | null
  /** True when the subject was erased: its proof can no longer be opened. */
  erased: boolean
}

export interface HistoryItem extends LedgerEvent {
  /** The id of this entry's consent receipt, for choices about a purpose. */
  receiptId: string | null
  proof?: EventProof
}

export interface ConsentsView {
  subjectId: string | null
  flags: SubjectFlagsView
  purposes: PurposeView[]
  /** Newest first, at most `historyLimit`. */
  history: HistoryItem[]
  historyTotal: number
}

export interface ReadConsentsInput {
  workspace: ConsentWorkspace
  subject: SubjectIdentifier
  /** Open the sealed proof (IP, user agent, evidence). Never for the browser SDK. */
  includeProof: boolean
  historyLimit: number
  reader: ConsentReader
}

/**
 * The current state per purpose and the history with its proof. An identifier the
 * ledger has never seen reads as a subject who has chosen nothing yet (the answer is
 * the same shape either way, so it says nothing about who else exists). The read is
 * audited; opening the proof is personal data read, and the entry says so.
 */
export async function readConsents(
  deps: ConsentDeps,
  input: ReadConsentsInput,
): Promise<ConsentsView> {
  const workspaceId = input.workspace.id
  const now = deps.clock.now()
  const age = consentSettings.read(input.workspace.settings).ageOfDigitalConsent
  const person = await findLinkedSubjects(deps, { workspaceId, subject: input.subject })
  const subject =
    person === undefined ? undefined : await selectSubject(deps.db, workspaceId, person.subjectId)
  const standing =
    subject === undefined
      ? null
      : standingOf(subject, await selectStates(deps.db, workspaceId, subject.id))
  const catalogue = await listPurposes(deps.db, workspaceId)
  const linked = person?.subjectIds ?? []
  const rows = await selectEvents(deps.db, workspaceId, linked, input.historyLimit)
  const history = input.includeProof
    ? await withProof(deps, workspaceId, rows)
    : rows.map((row) => historyItemOf(row))
  await deps.audit.record({
    workspaceId,
    actor: input.reader.actor,
    action: 'consent.read',
    resource: { type: 'consent_subject', id: subject?.id ?? null },
    subjectId: subject?.id ?? null,
    outcome: 'succeeded',
    requestId: input.reader.requestId ?? null,
    ip: input.reader.ip ?? null,
    details: { events: rows.length, proof: input.includeProof },
  })
  return {
    subjectId: subject?.id ?? null,
    flags: flagsViewOf(standing?.flags ?? null, age, now),
    purposes: catalogue.map((purpose) => purposeViewOf(purpose, standing, age, now)),
    history,
    historyTotal: await countEvents(deps.db, workspaceId, linked),
  }
}

export function historyItemOf(row: ConsentEventsTable, proof?: EventProof): HistoryItem {
  const event = toLedgerEvent(row)
  return {
    ...event,
    receiptId: purposeActions.has(event.action) ? event.id : null,
    ...(proof === undefined ? {} : { proof }),
  }
}

export async function withProof(
  deps: Pick<ConsentDeps, 'keyring'>,
  workspaceId: string,
  rows: readonly ConsentEventsTable[],
): Promise<HistoryItem[]> {
  const subjectIds = [...new Set(rows.map((row) => row.subject_id))]
  // Erased subjects have no keys: their rows show without proof rather than failing.
  const sealers = await deps.keyring.sealersFor(workspaceId, subjectIds, { create: false })
  return rows.map((row) => historyItemOf(row, openProof(sealers.get(row.subject_id), row)))
}

function openProof(sealer: SubjectSealer | undefined, row: ConsentEventsTable): EventProof {
  if (sealer === undefined) return { ip: null, userAgent: null, evidence: null, erased: true }
  const cell = (column: string) => ({ table: 'consent_events', column, rowId: row.id })
  return {
    ip: row.ip === null ? null : sealer.openText(cell('ip'), row.ip),
    userAgent: row.user_agent === null ? null : sealer.openText(cell('user_agent'), row.user_agent),
    evidence: row.evidence === null ? null : sealer.openJson(cell('evidence'), row.evidence),
    erased: false,
  }
}
