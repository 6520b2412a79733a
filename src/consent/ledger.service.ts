import type { SubjectSealer } from '../crypto/index.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import type { BlindIdentifier } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import {
  identifierValueOf,
  isSubjectId,
  lockSurvivingSubject,
  subjectIdNamed,
  subjectNamedOrNew,
  type SubjectRef,
} from '../subjects/index.js'
import type { ConsentDeps, LedgerContext } from './consent.deps.js'
import {
  insertEvents,
  insertSubject,
  selectStates,
  selectSubject,
  updateSubject,
  upsertStates,
} from './consent.repository.js'
import type { ConsentEventsTable, ConsentSubjectsTable } from './consent.table.js'
import { applyEntry, type LedgerEntry, purposeActions, type Standing } from './ledger.logic.js'
import {
  auditEventOf,
  decisionStatesOf,
  emptySubjectRow,
  eventRow,
  flagColumns,
  type LedgerEvent,
  standingOf,
  stateRow,
  toLedgerEvent,
} from './ledger.rows.js'
import { recordPurposeTerms } from './purpose-terms.js'
import type { PurposeTerms } from './purposes.logic.js'

export interface LedgerWrite {
  workspaceId: string
  subject: SubjectRef
  context: LedgerContext
  /**
   * Decides what to append from the subject's current standing, inside the write
   * transaction (so nothing changes between reading and appending). May read the
   * catalogue through `trx`; throws an AppError to refuse, and nothing is written.
   */
  plan: (trx: Database, current: Standing) => Promise<LedgerEntry[]>
}

export interface LedgerWriteResult {
  subjectId: string
  events: LedgerEvent[]
  standing: Standing
}

/**
 * The one way into the ledger. The entries, the subject's flags and its per-purpose
 * state are written in one transaction, so `mayProcess` reads the effect of a
 * withdrawal the moment it commits (Art. 7(3)); then each entry is audited.
 *
 * The proof (IP, user agent, evidence) is sealed under the subject's own key:
 * erasing the subject destroys that key (`keyring.shredSubject`), and every proof of
 * it, in the database and in every backup, becomes unreadable at once.
 */
export async function appendToLedger(
  deps: ConsentDeps,
  write: LedgerWrite,
): Promise<LedgerWriteResult> {
  const { workspaceId } = write
  const now = deps.clock.now()
  const prepared = await prepareSubject(deps, workspaceId, write.subject, now)
  let sealer = prepared.sealer
  const result = await inWriteTransaction(deps.db, async (trx) => {
    const subject = await lockSubject(trx, workspaceId, prepared, now)
    if (subject.id !== sealer.subjectId) {
      // Another request made this subject first: its keys exist, so they are only read.
      sealer = await deps.keyring.sealerFor(workspaceId, subject.id, { db: trx, create: false })
    }
    const current = standingOf(subject, await selectStates(trx, workspaceId, subject.id))
    const entries = await write.plan(trx, current)
    return persistEntries(trx, {
      workspaceId,
      subject,
      sealer,
      current,
      entries,
      context: write.context,
      now,
    })
  })
  if (prepared.madeKeys && result.subjectId !== prepared.candidateId) {
    // The key made for a subject that lost the race seals nothing: destroy it.
    await deps.keyring.shredSubject(workspaceId, prepared.candidateId)
  }
  if (result.events.length > 0) {
    await deps.audit.recordMany(
      result.events.map((event) => auditEventOf(workspaceId, event, write.context)),
    )
  }
  return result
}

interface PreparedSubject {
  /** The subject id the identifier names now, or a new one for a subject to create. */
  candidateId: string
  exists: boolean
  madeKeys: boolean
  identifier: BlindIdentifier | null
  sealer: SubjectSealer
}

/**
 * Resolves the subject and its keys before the transaction: making a key writes in a
 * transaction of its own, which on SQLite cannot happen inside one holding the connection.
 */
async function prepareSubject(
  deps: ConsentDeps,
  workspaceId: string,
  ref: SubjectRef,
  now: Date,
): Promise<PreparedSubject> {
  if (isSubjectId(ref)) {
    const sealer = await deps.keyring.sealerFor(workspaceId, ref.subjectId, { create: false })
    return { candidateId: ref.subjectId, exists: true, madeKeys: false, identifier: null, sealer }
  }
  const { kind, value } = identifierValueOf(ref)
  const blindIndex = await deps.keyring.blindIndex(workspaceId, kind, value)
  const existing = await subjectIdNamed(deps.db, workspaceId, blindIndex)
  const candidateId = existing ?? newId(now)
  const sealer = await deps.keyring.sealerFor(workspaceId, candidateId, {
    create: existing === undefined,
  })
  return {
    candidateId,
    exists: existing !== undefined,
    madeKeys: existing === undefined,
    identifier: { kind, blindIndex },
    sealer,
  }
}

/**
 * The consent row of the subject the reference names now (the survivor, after a merge),
 * locked (PostgreSQL) for this transaction. A subject the ledger meets for the first time
 * is made (the subjects module registers it with its identifier), and so is the consent
 * row of a subject the ledger has not written for yet (a contact's, say).
 */
async function lockSubject(
  trx: Database,
  workspaceId: string,
  prepared: PreparedSubject,
  now: Date,
): Promise<ConsentSubjectsTable> {
  const named =
    prepared.identifier === null
      ? prepared.candidateId
      : (
          await subjectNamedOrNew(trx, {
            workspaceId,
            identifier: prepared.identifier,
            candidateId: prepared.candidateId,
            now,
          })
        ).subjectId
  const subjectId = await lockSurvivingSubject(trx, workspaceId, named)
  if (subjectId === undefined) throw new AppError('not_found', 'No such consent subject')
  const row = await selectSubject(trx, workspaceId, subjectId, true)
  if (row !== undefined) return row
  const made = emptySubjectRow(workspaceId, subjectId, now.toISOString())
  await insertSubject(trx, made)
  return made
}

export interface PersistInput {
  workspaceId: string
  /** The subject's row as locked at the start of the transaction. */
  subject: ConsentSubjectsTable
  sealer: SubjectSealer
  current: Standing
  entries: readonly LedgerEntry[]
  context: LedgerContext
  now: Date
  /** Purposes whose state is rewritten even if no entry names them (a merge). */
  rewriteStates?: Iterable<string>
}

/** Appends entries for a locked subject and writes the state they lead to. */
export async function persistEntries(
  trx: Database,
  input: PersistInput,
): Promise<LedgerWriteResult> {
  const { workspaceId, subject, sealer, context, now } = input
  const at = now.toISOString()
  let standing = input.current
  const rows: ConsentEventsTable[] = []
  const touched = new Set<string>(input.rewriteStates)
  // What each choice was decided under, so its receipt shows that and not later wording.
  const terms = await recordPurposeTerms(
    trx,
    workspaceId,
    input.entries.flatMap((entry) => choiceTermsOf(entry) ?? []),
    at,
  )
  input.entries.forEach((entry, index) => {
    const id = newId(now)
    standing = applyEntry(standing, entry, at, id)
    if (entry.purpose !== null) touched.add(entry.purpose)
    rows.push(
      eventRow({
        workspaceId,
        subjectId: subject.id,
        seq: subject.event_seq + index + 1,
        id,
        entry,
        sealer,
        context,
        at,
        purposeTermsSha256: termsOfChoice(terms, entry),
      }),
    )
  })
  if (rows.length > 0) {
    await insertEvents(trx, rows)
    await updateSubject(trx, workspaceId, subject.id, {
      ...flagColumns(standing.flags),
      decision_states: decisionStatesOf(standing.purposes),
      decision_states_seq: subject.event_seq + rows.length,
      event_seq: subject.event_seq + rows.length,
      updated_at: at,
    })
    const states = [...touched].flatMap((purpose) => {
      const state = standing.purposes.get(purpose)
      return state === undefined ? [] : [stateRow(workspaceId, subject.id, state, at)]
    })
    await upsertStates(trx, states)
  }
  return { subjectId: subject.id, events: rows.map(toLedgerEvent), standing }
}

/** A grant's, withdrawal's or objection's terms; null for other entries. */
function choiceTermsOf(entry: LedgerEntry): PurposeTerms | null {
  if (!purposeActions.has(entry.action)) return null
  if (entry.terms === undefined || entry.terms.name !== entry.purpose) {
    throw new Error('A choice about a purpose must carry the terms it was decided under')
  }
  return entry.terms
}

function termsOfChoice(terms: ReadonlyMap<string, string>, entry: LedgerEntry): string | null {
  const choice = choiceTermsOf(entry)
  return choice === null ? null : (terms.get(choice.name) ?? null)
}
