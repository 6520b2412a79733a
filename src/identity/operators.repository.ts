import type { Database } from '../storage/index.js'
import type { OperatorsTable, OperatorTokensTable, RecoveryCodesTable } from './identity.table.js'

// SQL for operators and their one-time secrets. Every function takes the workspace id
// except look-ups by a bearer secret's hash, which is unique across the instance.

export async function insertOperator(db: Database, row: OperatorsTable): Promise<void> {
  await db.insertInto('operators').values(row).execute()
}

export async function findOperator(
  db: Database,
  workspaceId: string,
  operatorId: string,
): Promise<OperatorsTable | undefined> {
  return db
    .selectFrom('operators')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', operatorId)
    .executeTakeFirst()
}

export async function findOperatorByEmailIndex(
  db: Database,
  workspaceId: string,
  emailIndex: Buffer,
): Promise<OperatorsTable | undefined> {
  return db
    .selectFrom('operators')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('email_index', '=', emailIndex)
    .executeTakeFirst()
}

export async function listOperatorRows(
  db: Database,
  workspaceId: string,
): Promise<OperatorsTable[]> {
  return db
    .selectFrom('operators')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute()
}

export async function updateOperator(
  db: Database,
  workspaceId: string,
  operatorId: string,
  changes: Partial<Omit<OperatorsTable, 'id' | 'workspace_id'>>,
): Promise<void> {
  await db
    .updateTable('operators')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', operatorId)
    .execute()
}

export async function insertOperatorToken(db: Database, row: OperatorTokensTable): Promise<void> {
  await db.insertInto('operator_tokens').values(row).execute()
}

/** Marks a setup token used, once: only the first caller gets the row back. */
export async function consumeOperatorToken(
  db: Database,
  tokenHash: string,
  nowIso: string,
): Promise<OperatorTokensTable | undefined> {
  const row = await db
    .selectFrom('operator_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst()
  if (row === undefined || row.used_at !== null || row.expires_at <= nowIso) return undefined
  const result = await db
    .updateTable('operator_tokens')
    .set({ used_at: nowIso })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n ? row : undefined
}

/** A setup token that still works (unused, unexpired), without using it. */
export async function findUsableOperatorToken(
  db: Database,
  tokenHash: string,
  nowIso: string,
): Promise<OperatorTokensTable | undefined> {
  return db
    .selectFrom('operator_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso)
    .executeTakeFirst()
}

export async function replaceRecoveryCodes(
  db: Database,
  workspaceId: string,
  operatorId: string,
  rows: RecoveryCodesTable[],
): Promise<void> {
  await db
    .deleteFrom('recovery_codes')
    .where('workspace_id', '=', workspaceId)
    .where('operator_id', '=', operatorId)
    .execute()
  if (rows.length > 0) await db.insertInto('recovery_codes').values(rows).execute()
}

/** Uses a recovery code, once: true only for the call that marked it used. */
export async function consumeRecoveryCode(
  db: Database,
  workspaceId: string,
  operatorId: string,
  codeHash: string,
  nowIso: string,
): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: nowIso })
    .where('workspace_id', '=', workspaceId)
    .where('operator_id', '=', operatorId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function countUnusedRecoveryCodes(
  db: Database,
  workspaceId: string,
  operatorId: string,
): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('workspace_id', '=', workspaceId)
    .where('operator_id', '=', operatorId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Voids every setup link of an operator not used yet; returns how many were live. */
export async function voidOperatorTokens(
  db: Database,
  workspaceId: string,
  operatorId: string,
  nowIso: string,
): Promise<number> {
  const live = await db
    .deleteFrom('operator_tokens')
    .where('workspace_id', '=', workspaceId)
    .where('operator_id', '=', operatorId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso)
    .executeTakeFirst()
  // Used and expired links open nothing; they go too, so no link older than this stays.
  await db
    .deleteFrom('operator_tokens')
    .where('workspace_id', '=', workspaceId)
    .where('operator_id', '=', operatorId)
    .execute()
  return Number(live.numDeletedRows)
}

/** Ends every live session of an operator; returns how many there were. */
export async function revokeOperatorSessions(
  db: Database,
  workspaceId: string,
  operatorId: string,
  nowIso: string,
): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: nowIso })
    .where('workspace_id', '=', workspaceId)
    .where('operator_id', '=', operatorId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', nowIso)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Deletes an operator's recovery codes, used or not; returns how many there were. */
export async function deleteRecoveryCodes(
  db: Database,
  workspaceId: string,
  operatorId: string,
): Promise<number> {
  const result = await db
    .deleteFrom('recovery_codes')
    .where('workspace_id', '=', workspaceId)
    .where('operator_id', '=', operatorId)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** The operators one person's email index or key holders name (a rights request's walk). */
export async function selectOperatorsOfPerson(
  db: Database,
  workspaceId: string,
  person: { emailIndexes: readonly Buffer[]; ids: readonly string[] },
): Promise<OperatorsTable[]> {
  const found = new Map<string, OperatorsTable>()
  const base = () => db.selectFrom('operators').selectAll().where('workspace_id', '=', workspaceId)
  if (person.emailIndexes.length > 0) {
    for (const row of await base()
      .where('email_index', 'in', [...person.emailIndexes])
      .execute())
      found.set(row.id, row)
  }
  for (let start = 0; start < person.ids.length; start += 500) {
    const chunk = person.ids.slice(start, start + 500)
    for (const row of await base().where('id', 'in', chunk).execute()) found.set(row.id, row)
  }
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
}

const operatorOwnedTables = ['operator_tokens', 'recovery_codes', 'sessions'] as const

/** Rows per table these operators own (their account row apart). */
export async function countOperatorRows(
  db: Database,
  workspaceId: string,
  operatorIds: readonly string[],
): Promise<Record<(typeof operatorOwnedTables)[number], number>> {
  const counts = { operator_tokens: 0, recovery_codes: 0, sessions: 0 }
  if (operatorIds.length === 0) return counts
  for (const table of operatorOwnedTables) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('count'))
      .where('workspace_id', '=', workspaceId)
      .where('operator_id', 'in', [...operatorIds])
      .executeTakeFirst()
    counts[table] = Number(row?.count ?? 0)
  }
  return counts
}

/** Erasure: these operators' accounts and everything they own; returns rows per table. */
export async function deleteOperators(
  db: Database,
  workspaceId: string,
  operatorIds: readonly string[],
): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {}
  for (let start = 0; start < operatorIds.length; start += 500) {
    const chunk = operatorIds.slice(start, start + 500)
    for (const table of operatorOwnedTables) {
      const result = await db
        .deleteFrom(table)
        .where('workspace_id', '=', workspaceId)
        .where('operator_id', 'in', chunk)
        .executeTakeFirst()
      deleted[table] = (deleted[table] ?? 0) + Number(result.numDeletedRows)
    }
    const result = await db
      .deleteFrom('operators')
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', chunk)
      .executeTakeFirst()
    deleted.operators = (deleted.operators ?? 0) + Number(result.numDeletedRows)
  }
  return deleted
}
