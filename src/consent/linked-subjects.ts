import type { ConsentDeps } from './consent.deps.js'
import {
  findSubjectIdByIndex,
  selectCanonicalSubjectId,
  selectLinkedSubjectIds,
} from './consent.repository.js'
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
