import { type RawBuilder, sql } from 'kysely'

/**
 * SQL fragments another module embeds in a statement of its own, where one more round
 * trip would cost more than the statement: the consent decision, the hottest read there
 * is, must stay one statement (bench/consent.bench.ts), and it starts from the subject an
 * identifier or an id names. Each fragment is a subquery with a stated shape, so the
 * caller names neither this module's tables nor their columns, and this module may
 * change them without touching it.
 *
 * Every argument is a bound value only (the callers compile these once, with
 * placeholders: storage/reusable-query.ts); only the number of values in a list shapes
 * the text.
 */

/**
 * A scalar subquery: the subject `blindIndex` names in the workspace, or NULL. Always a
 * surviving subject (a merge moves identifiers to the one it keeps).
 *
 * @example
 *   sql`… left join consent_subjects s
 *     on s.workspace_id = ${w} and s.id = ${subjectIdNamedBy(w, blindIndex)}`
 */
export function subjectIdNamedBy(workspaceId: string, blindIndex: Buffer): RawBuilder<unknown> {
  return sql`(select si.subject_id from subject_identifiers si
    where si.workspace_id = ${workspaceId} and si.blind_index = ${blindIndex})`
}

/**
 * A derived table `(blind_index, subject_id)`: the subjects these blind indexes name,
 * one row per index known. Both databases fold it into the outer query (a plain
 * subquery in FROM), so joining it costs what joining the table would.
 *
 * @example
 *   sql`select n.blind_index, s.… from ${subjectsNamedBy(w, indexes)} n
 *     join consent_subjects s on s.workspace_id = ${w} and s.id = n.subject_id`
 */
export function subjectsNamedBy(
  workspaceId: string,
  blindIndexes: readonly Buffer[],
): RawBuilder<unknown> {
  return sql`(select si.blind_index, si.subject_id from subject_identifiers si
    where si.workspace_id = ${workspaceId} and si.blind_index in (${sql.join(blindIndexes)}))`
}

/**
 * A scalar subquery: the surviving subject of `subjectId` (itself, or the one it was
 * merged into), or NULL when no such subject exists.
 */
export function survivingSubjectIdOf(workspaceId: string, subjectId: string): RawBuilder<unknown> {
  return sql`(select coalesce(sv.merged_into, sv.id) from subjects sv
    where sv.workspace_id = ${workspaceId} and sv.id = ${subjectId})`
}

/**
 * A derived table `(requested_id, subject_id)`: for each of these subject ids that
 * exists, the surviving subject that now speaks for it.
 */
export function survivingSubjectsOf(
  workspaceId: string,
  subjectIds: readonly string[],
): RawBuilder<unknown> {
  return sql`(select sv.id as requested_id, coalesce(sv.merged_into, sv.id) as subject_id
    from subjects sv where sv.workspace_id = ${workspaceId} and sv.id in (${sql.join(subjectIds)}))`
}
