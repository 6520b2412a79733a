import type { ConsentDeps } from './consent.deps.js'
import {
  findSubjectIdByIndex,
  selectCanonicalSubjectId,
  selectLinkedSubjectIds,
} from './consent.repository.js'
import { selectExternalIdIndexes } from './decision.repository.js'
import { identifierValueOf, type SubjectIdentifier } from './identifiers.logic.js'

export interface LinkedSubjects {
  /** The subject that speaks for the person now. */
  subjectId: string
  /** It and every subject linked into it (sorted): the ids the person's rows were made under. */
  subjectIds: string[]
}

/**
 * The person an identifier names now, with every consent subject linked into them.
 * Identify links a visitor's anonymous subject and a contact's into one person
 * (`linkIdentifiers`), but rows another module made before the link keep the subject id
 * they were made and sealed under: this is how that module finds all of them. Undefined
 * when the ledger does not know the identifier (never seen, or erased). Reads nothing
 * personal, so it records no audit entry: the caller audits the rows it reads with it.
 *
 * @example
 *   const person = await findLinkedSubjects(deps, { workspaceId, subject: { externalId: 'user-42' } })
 *   // person?.subjectIds: ['01J…anonymous', '01J…contact']
 */
export async function findLinkedSubjects(
  deps: Pick<ConsentDeps, 'db' | 'keyring'>,
  input: { workspaceId: string; subject: SubjectIdentifier },
): Promise<LinkedSubjects | undefined> {
  const { workspaceId } = input
  const { kind, value } = identifierValueOf(input.subject)
  const blindIndex = await deps.keyring.blindIndex(workspaceId, kind, value)
  const found = await findSubjectIdByIndex(deps.db, workspaceId, blindIndex)
  const subjectId =
    found === undefined ? undefined : await selectCanonicalSubjectId(deps.db, workspaceId, found)
  if (subjectId === undefined) return undefined
  return { subjectId, subjectIds: await selectLinkedSubjectIds(deps.db, workspaceId, subjectId) }
}

/**
 * The other way round: for each of these subjects that identify linked to an external
 * id, that id's blind index, which is also the contact's (contacts index external ids
 * with the same workspace key). How a module holding only a subject id finds the
 * contact of a visitor who signed in. A subject since linked into another answers with
 * the kept one's; one without an external id (a visitor never identified) is absent.
 * One statement per 500 subjects; nothing personal is read, so nothing is audited.
 *
 * @example
 *   const indexes = await findExternalIdIndexes(deps, { workspaceId, subjectIds: ['01J…'] })
 *   // indexes.get('01J…'): the blind index of 'user-42', or undefined
 */
export async function findExternalIdIndexes(
  deps: Pick<ConsentDeps, 'db'>,
  input: { workspaceId: string; subjectIds: readonly string[] },
): Promise<Map<string, Buffer>> {
  if (input.subjectIds.length === 0) return new Map()
  return selectExternalIdIndexes(deps.db, input.workspaceId, input.subjectIds)
}
