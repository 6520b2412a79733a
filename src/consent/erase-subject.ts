import type { Actor } from '../identity/principal.js'
import { inWriteTransaction } from '../storage/write-transaction.js'
import type { ConsentDeps } from './consent.deps.js'
import {
  deleteSubjects,
  findSubjectIdByIndex,
  selectCanonicalSubjectId,
  selectLinkedSubjectIds,
} from './consent.repository.js'
import { identifierValueOf, isSubjectId, type SubjectRef } from './identifiers.logic.js'

export interface ErasedConsentSubject {
  /** Every consent subject id of the person (linked ones included): their keys are gone. */
  subjectIds: string[]
  events: number
}

/**
 * Art. 17 for the consent module, for the rights module to call: destroys the keys of
 * the subject and of every subject linked into it first (crypto-shredding: the sealed
 * IP, user agent and evidence become unreadable everywhere at once, backups included),
 * then deletes its ledger rows, state and identifiers.
 */
export async function eraseConsentSubject(
  deps: ConsentDeps,
  input: { workspaceId: string; subject: SubjectRef; actor: Actor; requestId?: string | null },
): Promise<ErasedConsentSubject> {
  const { workspaceId } = input
  const found = isSubjectId(input.subject)
    ? input.subject.subjectId
    : await findSubjectIdByIndex(
        deps.db,
        workspaceId,
        await deps.keyring.blindIndex(
          workspaceId,
          identifierValueOf(input.subject).kind,
          identifierValueOf(input.subject).value,
        ),
      )
  const canonical =
    found === undefined ? undefined : await selectCanonicalSubjectId(deps.db, workspaceId, found)
  if (canonical === undefined) return { subjectIds: [], events: 0 }
  const subjectIds = await selectLinkedSubjectIds(deps.db, workspaceId, canonical)
  for (const subjectId of subjectIds) await deps.keyring.shredSubject(workspaceId, subjectId)
  const { consent_events: events } = await inWriteTransaction(deps.db, (trx) =>
    deleteSubjects(trx, workspaceId, subjectIds),
  )
  await deps.audit.record({
    workspaceId,
    actor: input.actor,
    action: 'consent.erased',
    resource: { type: 'consent_subject', id: canonical },
    subjectId: canonical,
    outcome: 'succeeded',
    requestId: input.requestId ?? null,
    details: { subjects: subjectIds.length, events },
  })
  return { subjectIds, events }
}
