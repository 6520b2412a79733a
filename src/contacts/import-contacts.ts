import { Compile } from 'typebox/compile'
import type { BlindIndexKind } from '../crypto/index.js'
import type { DetectionPolicy } from '../detection/index.js'
import type { PreparedSealing, SealingRequest } from '../crypto/index.js'
import { AppError, type ErrorCode, type FieldError } from '../errors.js'
import { type ItemProblem, itemProblem } from '../http/index.js'
import { findJsonFlaw, jsonFlawFieldError } from '../http/index.js'
import { reportItem } from '../http/index.js'
import { isUniqueViolation } from '../storage/index.js'
import type { RequestContext } from '../identity/index.js'
import { newId } from '../ids.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import { attachIdentifiersOfMany } from '../subjects/index.js'
import {
  type AttributeCheck,
  attributeMismatchErrors,
  checkAttributeTypes,
  newProfileOf,
  type Profile,
} from './contacts.logic.js'
import {
  attributeTypes,
  insertAttributeTypes,
  insertContacts,
  selectTakenIndexes,
} from './contacts.repository.js'
import { type ContactInput, CreateContactBody } from './contacts.schemas.js'
import { type ContactIndexes, chooseSubjects, identifiersOf } from './contact-subject.js'
import {
  type ContactDeps,
  changedFields,
  detectionPolicyOf,
  profileCell,
  type Who,
  writeEvents,
} from './contacts.service.js'
import { type ContactFinding, scanContact } from './contact-findings.logic.js'
import type { AttributeType, ContactsTable } from './contacts.table.js'

const validator = Compile(CreateContactBody)

/** Contacts per batch: one sealing job on the keyring's worker, one transaction. */
export const maxContactsPerBatch = 500

export interface ContactBatchResult {
  /** The contacts made, with their position in the batch. */
  created: { index: number; id: string }[]
  /** The contacts not made, each with the RFC 9457 problem that says why. */
  rejected: { index: number; problem: ItemProblem }[]
}

/** A batch whose profiles are being sealed; `store` writes what passes its checks. */
export interface PreparedContactBatch {
  store(): Promise<ContactBatchResult>
}

interface Candidate {
  index: number
  id: string
  /** The subject its profile is sealed under (contact-subject.ts), once chosen. */
  subjectId: string
  /** Its identifiers' blind indexes, once its subject is chosen. */
  indexes: ContactIndexes
  profile: Profile
  /** What detection found in it, redactions already applied to `profile`. */
  fresh: ContactFinding[]
  input: ContactInput
  /** Where the email's and the external id's blind indexes are among the request's. */
  emailAt: number | null
  externalIdAt: number | null
}

/**
 * Creates many contacts at once, as an import does: `createContact`'s rules for each
 * (an email or an external id; both unique in the workspace, within the batch too;
 * attribute types kept), but a contact that breaks one is rejected with its index
 * while the others are made. Each profile is sealed under its person's subject key
 * like `createContact`'s (a new key for a new person), only on the keyring's worker
 * thread, so that a caller with several batches writes one while the next is sealed
 * (`prepareContactBatch`).
 */
export async function createContacts(
  deps: ContactDeps,
  who: Who,
  inputs: readonly unknown[],
  context: RequestContext = {},
): Promise<ContactBatchResult> {
  return (await prepareContactBatch(deps, who, inputs, { context })).store()
}

/**
 * The first half of `createContacts`: checks what needs no database and hands the
 * profiles to the sealing worker. On SQLite, call it outside any transaction.
 */
export async function prepareContactBatch(
  deps: ContactDeps,
  who: Who,
  inputs: readonly unknown[],
  options: {
    context?: RequestContext
    /** How problems name the contact at `index` (`Contact 3` by default; a file says its line). */
    nameOf?: (index: number) => string
  } = {},
): Promise<PreparedContactBatch> {
  const context = options.context ?? {}
  const nameOf = options.nameOf ?? ((index: number) => `Contact ${index}`)
  if (inputs.length > maxContactsPerBatch) {
    throw new AppError(
      'invalid_request',
      `A batch holds at most ${maxContactsPerBatch} contacts, not ${inputs.length}`,
    )
  }
  // One policy for the batch, as for one contact: scanned before sealing.
  const policy = await detectionPolicyOf(deps, who.workspaceId)
  const screened = screen(inputs, nameOf, deps.clock.now(), policy)
  const { rejected } = screened
  const candidates = await withSubjects(deps, who.workspaceId, screened.candidates)
  const prepared = await deps.keyring.prepareSealing(who.workspaceId, candidates.map(requestOf), {
    // Only new people: no key can exist for a contact id just made.
    newSubjects: candidates.every((candidate) => candidate.subjectId === candidate.id),
  })
  return {
    async store() {
      // Sealed before the transaction: it would hold SQLite's one connection meanwhile.
      await prepared.sealed()
      const written = await retryingUniqueRaces(() =>
        writeBatch(deps, who.workspaceId, candidates, prepared, nameOf),
      )
      if (written.created.length > 0) {
        await deps.audit.recordMany(
          written.created.flatMap((candidate) =>
            writeEvents(
              who,
              'contact.created',
              subjectOf(candidate),
              context,
              { fields: changedFields(candidate.input).join(','), via: 'batch' },
              candidate.fresh,
            ),
          ),
        )
      }
      return {
        created: written.created.map((candidate) => ({ index: candidate.index, id: candidate.id })),
        rejected: [...rejected, ...written.rejected].sort((a, b) => a.index - b.index),
      }
    },
  }
}

/** The contacts that pass what needs no database (the schema, an identifier), with new ids. */
function screen(
  inputs: readonly unknown[],
  nameOf: (index: number) => string,
  now: Date,
  policy: DetectionPolicy,
): { candidates: Candidate[]; rejected: ContactBatchResult['rejected'] } {
  const rejected: ContactBatchResult['rejected'] = []
  const candidates: Candidate[] = []
  inputs.forEach((raw, index) => {
    // Before anything recursive touches it: a too-deep or non-finite contact fails alone.
    const flaw = findJsonFlaw(raw)
    if (flaw !== undefined) {
      const fieldError = jsonFlawFieldError(flaw)
      const detail = `${nameOf(index)}: a value ${fieldError.message}`
      rejected.push({ index, problem: itemProblem('invalid_request', detail, [fieldError]) })
      return
    }
    if (!validator.Check(raw)) {
      const report = reportItem(validator, raw)
      const detail = `${nameOf(index)}: ${report.detail}`
      rejected.push({ index, problem: itemProblem('invalid_request', detail, report.errors) })
      return
    }
    const { profile, fresh } = scanContact(newProfileOf(raw), 'all', policy, now.toISOString())
    if (!profile.email && !profile.externalId) {
      rejected.push({
        index,
        problem: problemOf(nameOf(index), {
          code: 'invalid_request',
          message: 'needs an email or an externalId',
          errors: [{ in: 'body', field: 'email', message: 'or externalId is required' }],
        }),
      })
      return
    }
    const emailAt = profile.email ? 0 : null
    const externalIdAt = profile.externalId ? (emailAt ?? -1) + 1 : null
    const id = newId(now)
    const indexes = { email_index: null, external_id_index: null }
    candidates.push({
      index,
      id,
      subjectId: id,
      indexes,
      profile,
      fresh,
      input: raw,
      emailAt,
      externalIdAt,
    })
  })
  return { candidates, rejected }
}

/**
 * One transaction: the checks that need the database, the keys of the contacts that
 * pass them, their attribute types and their rows. Returns who was made and who not.
 */
async function writeBatch(
  deps: ContactDeps,
  workspaceId: string,
  candidates: readonly Candidate[],
  prepared: PreparedSealing,
  nameOf: (index: number) => string,
): Promise<{ created: Candidate[]; rejected: ContactBatchResult['rejected'] }> {
  const createdAt = deps.clock.now().toISOString()
  return inWriteTransaction(deps.db, async (trx) => {
    const moved = await subjectsMovedMeanwhile(trx, workspaceId, candidates)
    const check = await checkCandidates(trx, workspaceId, candidates, createdAt, nameOf, moved)
    const sealed = await prepared.commit(trx, { keep: check.keep })
    const created: Candidate[] = []
    const rows: ContactsTable[] = []
    candidates.forEach((candidate, at) => {
      const values = sealed[at]
      const profile = values?.sealed[0]
      if (values === null || values === undefined || profile === undefined) return
      created.push(candidate)
      rows.push({
        id: candidate.id,
        workspace_id: workspaceId,
        subject_id: candidate.subjectId,
        email_index: indexAt(values.indexes, candidate.emailAt),
        external_id_index: indexAt(values.indexes, candidate.externalIdAt),
        profile,
        last_activity_at: null,
        created_at: createdAt,
        updated_at: createdAt,
      })
    })
    await insertAttributeTypes(trx, check.newTypes())
    await insertContacts(trx, rows)
    await attachIdentifiersOfMany(trx, {
      workspaceId,
      subjects: rows.map((row) => ({ subjectId: row.subject_id, identifiers: identifiersOf(row) })),
      now: deps.clock.now(),
    })
    return { created, rejected: check.rejected }
  })
}

/**
 * Runs the batch's transaction again when a contact made meanwhile by another request
 * took an email or external id the checks found free (PostgreSQL reads committed rows
 * only, so the check and the insert can race; on SQLite the write lock serialises them):
 * the next run's checks see it and reject that contact alone.
 */
async function retryingUniqueRaces<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt()
    } catch (error) {
      if (tries >= 3 || !isUniqueViolation(error)) throw error
    }
  }
}

/** The candidates with their subjects, chosen from their blind indexes before sealing. */
async function withSubjects(
  deps: ContactDeps,
  workspaceId: string,
  candidates: readonly Candidate[],
): Promise<Candidate[]> {
  const indexer = await deps.keyring.indexerFor(workspaceId)
  const indexed = candidates.map((candidate) => {
    const { email, externalId } = candidate.profile
    const indexes = {
      email_index: email ? indexer.index('email', email) : null,
      external_id_index: externalId ? indexer.index('external_id', externalId) : null,
    }
    return { ...candidate, indexes }
  })
  const chosen = await chooseSubjects(deps.db, workspaceId, indexed)
  return indexed.map((candidate) => ({
    ...candidate,
    subjectId: chosen.get(candidate.id) ?? candidate.id,
  }))
}

/**
 * The candidates whose subject another writer changed between the choice and the
 * transaction (a visitor identified meanwhile, a contact made for the subject): their
 * profiles were sealed under a key that is no longer the right one, so they are
 * rejected, to be sent again; the others are stored.
 */
async function subjectsMovedMeanwhile(
  trx: Database,
  workspaceId: string,
  candidates: readonly Candidate[],
): Promise<Set<string>> {
  const now = await chooseSubjects(trx, workspaceId, candidates, { lock: true })
  return new Set(
    candidates
      .filter((candidate) => (now.get(candidate.id) ?? candidate.id) !== candidate.subjectId)
      .map((candidate) => candidate.id),
  )
}

function subjectOf(candidate: Candidate): { id: string; subject_id: string } {
  return { id: candidate.id, subject_id: candidate.subjectId }
}

function requestOf(candidate: Candidate): SealingRequest {
  const indexes: { kind: BlindIndexKind; value: string }[] = []
  if (candidate.profile.email) indexes.push({ kind: 'email', value: candidate.profile.email })
  if (candidate.profile.externalId) {
    indexes.push({ kind: 'external_id', value: candidate.profile.externalId })
  }
  return {
    subjectId: candidate.subjectId,
    cells: [{ field: profileCell(candidate.id), json: candidate.profile }],
    indexes,
  }
}

function indexAt(indexes: readonly Buffer[], at: number | null): Buffer | null {
  return at === null ? null : (indexes[at] ?? null)
}

/**
 * The checks that need the database and the blind indexes, run in the batch's
 * transaction as `keep`: attribute types (as stored, then as earlier contacts of the
 * batch set them) and uniqueness (against stored contacts, then within the batch).
 */
async function checkCandidates(
  trx: Database,
  workspaceId: string,
  candidates: readonly Candidate[],
  createdAt: string,
  nameOf: (index: number) => string,
  moved: ReadonlySet<string>,
) {
  const types = new Map(await attributeTypes(trx, workspaceId))
  const added = new Map<string, AttributeType>()
  const rejected: ContactBatchResult['rejected'] = []
  const keep = async (indexes: readonly (readonly Buffer[])[]): Promise<boolean[]> => {
    const emails = candidates.map((candidate, at) => indexAt(indexes[at] ?? [], candidate.emailAt))
    const externalIds = candidates.map((candidate, at) =>
      indexAt(indexes[at] ?? [], candidate.externalIdAt),
    )
    const taken = {
      email: await selectTakenIndexes(trx, workspaceId, 'email_index', nonNull(emails)),
      externalId: await selectTakenIndexes(
        trx,
        workspaceId,
        'external_id_index',
        nonNull(externalIds),
      ),
    }
    return candidates.map((candidate, at) => {
      const attributeCheck = checkAttributeTypes(candidate.input.attributes ?? {}, types)
      const problem =
        movedProblem(moved, candidate) ??
        attributeProblem(attributeCheck) ??
        uniquenessProblem(taken.email, emails[at] ?? null, 'email') ??
        uniquenessProblem(taken.externalId, externalIds[at] ?? null, 'externalId')
      if (problem !== undefined) {
        rejected.push({
          index: candidate.index,
          problem: problemOf(nameOf(candidate.index), problem),
        })
        return false
      }
      // Taken from now on: a later contact of the batch with the same email is refused.
      for (const [set, index] of [
        [taken.email, emails[at]],
        [taken.externalId, externalIds[at]],
      ] as const) {
        if (index) set.add(index.toString('latin1'))
      }
      for (const [name, type] of Object.entries(attributeCheck.newTypes)) {
        types.set(name, type)
        added.set(name, type)
      }
      return true
    })
  }
  return {
    keep,
    rejected,
    newTypes: () =>
      [...added].map(([name, type]) => ({
        workspace_id: workspaceId,
        name,
        type,
        created_at: createdAt,
      })),
  }
}

interface Problem {
  code: ErrorCode
  message: string
  errors: FieldError[]
}

function movedProblem(moved: ReadonlySet<string>, candidate: Candidate): Problem | undefined {
  if (!moved.has(candidate.id)) return undefined
  return {
    code: 'conflict',
    message: 'names a person another request changed meanwhile; send it again',
    errors: [],
  }
}

function attributeProblem({ mismatches }: AttributeCheck): Problem | undefined {
  if (mismatches.length === 0) return undefined
  return {
    code: 'invalid_request',
    message: 'has attribute values of another type than the attribute has',
    errors: attributeMismatchErrors(mismatches),
  }
}

function uniquenessProblem(
  taken: ReadonlySet<string>,
  index: Buffer | null,
  field: 'email' | 'externalId',
): Problem | undefined {
  if (index === null || !taken.has(index.toString('latin1'))) return undefined
  return {
    code: 'conflict',
    message: `has the ${field} of another contact`,
    errors: [{ in: 'body', field, message: 'is already used by another contact' }],
  }
}

function problemOf(name: string, problem: Problem): ItemProblem {
  return itemProblem(problem.code, `${name} ${problem.message}`, problem.errors)
}

function nonNull(indexes: readonly (Buffer | null)[]): Buffer[] {
  return indexes.filter((index) => index !== null)
}
