import type { BlindIdentifier } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import {
  attachIdentifiers,
  linkedSubjectIds,
  lockSurvivingSubject,
  subjectIdsNamed,
  survivingSubjectIds,
} from '../subjects/index.js'
import { selectContactIdsOfSubjects } from './contacts.repository.js'

/** A contact's identifiers as blind indexes, the external id first. */
export interface ContactIndexes {
  email_index: Buffer | null
  external_id_index: Buffer | null
}

/**
 * Which subject a new contact's profile is sealed under, registered with the subjects
 * module in the caller's transaction: one person, one key holder.
 *
 * The subject its external id names (a visitor who signed in: identify linked them), else
 * the one its email names (a person who consented by email), so that the person's
 * consents, events and profile share one key. Not a subject that already has another
 * contact: a CRM keeps one profile per person, so that subject is someone else now (an
 * email given up and taken again), and sharing its key would let erasing one person
 * destroy the other's profile. Without one, the contact is a new person whose subject id
 * is the contact's own id (as every contact made before the subjects module is).
 *
 * The identifiers no subject has yet are given to the chosen subject; one another
 * subject has stays there: joining two subjects is identify's decision (`linkSubjects`),
 * made on a sign-in, with the consent ledger's rules for merging their choices.
 */
export async function subjectForNewContact(
  trx: Database,
  input: { workspaceId: string; contactId: string; indexes: ContactIndexes; now: Date },
): Promise<string> {
  const { workspaceId, contactId, now } = input
  const chosen = await chooseSubjects(
    trx,
    workspaceId,
    [{ id: contactId, indexes: input.indexes }],
    {
      lock: true,
    },
  )
  const subjectId = chosen.get(contactId) ?? contactId
  await attachIdentifiers(trx, {
    workspaceId,
    subjectId,
    identifiers: identifiersOf(input.indexes),
    now,
  })
  return subjectId
}

/**
 * The subject each new contact would be sealed under, by the rule above, keyed by
 * contact id: one look-up of every identifier, then one check per contact whose
 * identifier some subject has. Reads only; with `lock`, in the caller's transaction,
 * each subject considered is locked (PostgreSQL) until it ends, so two contacts made at
 * once cannot both take one person's subject.
 */
export async function chooseSubjects(
  db: Database,
  workspaceId: string,
  contacts: readonly { id: string; indexes: ContactIndexes }[],
  options: { lock?: boolean } = {},
): Promise<Map<string, string>> {
  const named = await subjectIdsNamed(
    db,
    workspaceId,
    contacts.flatMap((contact) => identifiersOf(contact.indexes).map((item) => item.blindIndex)),
  )
  const chosen = new Map<string, string>()
  const taken = new Set<string>()
  for (const contact of contacts) {
    let subjectId = contact.id
    for (const item of identifiersOf(contact.indexes)) {
      const candidate = named.get(item.blindIndex.toString('latin1'))
      if (candidate === undefined || taken.has(candidate)) continue
      if (options.lock === true) await lockSurvivingSubject(db, workspaceId, candidate)
      const person = await linkedSubjectIds(db, workspaceId, [candidate])
      if ((await selectContactIdsOfSubjects(db, workspaceId, person)).length === 0) {
        subjectId = candidate
        break
      }
    }
    // Two contacts of one batch never share a subject either.
    taken.add(subjectId)
    chosen.set(contact.id, subjectId)
  }
  return chosen
}

/**
 * A contact's changed identifiers join its person, unless another subject has them
 * already (the same rule as for a new contact). Nothing is re-sealed: the profile stays
 * under the subject it was sealed under.
 */
export async function attachContactIdentifiers(
  trx: Database,
  input: { workspaceId: string; subjectId: string; indexes: ContactIndexes; now: Date },
): Promise<void> {
  const { workspaceId, now } = input
  const surviving = await survivingSubjectIds(trx, workspaceId, [input.subjectId])
  await attachIdentifiers(trx, {
    workspaceId,
    subjectId: surviving.get(input.subjectId) ?? input.subjectId,
    identifiers: identifiersOf(input.indexes),
    now,
  })
}

export function identifiersOf(indexes: ContactIndexes): BlindIdentifier[] {
  return [
    ...(indexes.external_id_index === null
      ? []
      : [{ kind: 'external_id' as const, blindIndex: indexes.external_id_index }]),
    ...(indexes.email_index === null
      ? []
      : [{ kind: 'email' as const, blindIndex: indexes.email_index }]),
  ]
}
