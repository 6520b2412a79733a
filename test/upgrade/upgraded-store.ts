import { sql } from 'kysely'
import { readEnvelopeHeader } from '../../src/crypto/envelope.js'
import { sealedColumnsOfModules } from '../../src/personal-data-sources.js'
import type { Storage } from '../../src/storage/database.js'
import type { TestApp } from '../../src/testing/test-app.js'
import { missingFrom, type Reassignments } from './contains-answer.js'
import type { FixtureFacts, RecordedRead, UpgradeFixture } from './fixture-file.js'
import { sessionCookieName } from './release-client.js'

/** What upgrade.test.ts asks of a store the release made, once today's code has it. */

/** Rows per table, for every table the store has now. */
export async function rowCounts(storage: Storage): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of await storage.db.introspection.getTables()) {
    if (table.name.startsWith('kysely_')) continue
    const result = await sql<{ count: number | string }>`select count(*) as count
      from ${sql.table(table.name)}`.execute(storage.db)
    counts[table.name] = Number(result.rows[0]?.count ?? 0)
  }
  return counts
}

/** The tables the release had that still exist, whose row count is not what it held. */
export function lostOrGainedRows(
  fixture: UpgradeFixture,
  now: Record<string, number>,
): Record<string, { release: number; now: number }> {
  const changed: Record<string, { release: number; now: number }> = {}
  for (const table of fixture.tables) {
    const count = now[table.name]
    if (count !== undefined && count !== table.rows.length) {
      changed[table.name] = { release: table.rows.length, now: count }
    }
  }
  return changed
}

/**
 * Opens every value of every sealed column the modules declare (the columns key
 * rotation re-seals), each with its row's subject key, as it is bound to its table,
 * column and row: a value a migration moved, garbled or orphaned fails to open.
 * Returns how many values each table opened.
 */
export async function openEverySealedValue(harness: TestApp): Promise<Record<string, number>> {
  const opened: Record<string, number> = {}
  for (const declaration of sealedColumnsOfModules()) {
    const { table } = declaration
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      harness.storage.db,
    )
    for (const row of rows.rows) {
      const workspaceId = String(row[declaration.workspaceColumn])
      const subjectId = String(row[declaration.subjectColumn])
      const rowId = String(row[declaration.idColumn])
      const sealers = await harness.keyring.sealersFor(workspaceId, [subjectId], { create: false })
      const sealer = sealers.get(subjectId)
      if (sealer === undefined) throw new Error(`${table} ${rowId}: its subject has no key`)
      for (const column of declaration.columns) {
        const value = row[column]
        if (value === null || value === undefined) continue
        if (!Buffer.isBuffer(value)) throw new Error(`${table}.${column} ${rowId} is not bytes`)
        const field = { table, column, rowId }
        const { kind } = readEnvelopeHeader(value, { ...field, workspaceId, subjectId })
        sealer.openBytes(kind, field, value).fill(0)
        opened[table] = (opened[table] ?? 0) + 1
      }
    }
  }
  return opened
}

/** Asks today's app a read the release answered; returns what the new answer lacks. */
export async function replay(
  harness: TestApp,
  facts: FixtureFacts,
  read: RecordedRead,
  reassignments: Reassignments,
): Promise<string[]> {
  const response = await harness.app.inject({
    method: 'GET',
    url: read.url,
    headers: headersOf(facts, read.auth),
  })
  if (response.statusCode !== read.status) {
    return [`status ${read.status}, now ${response.statusCode}: ${response.body.slice(0, 200)}`]
  }
  return missingFrom(read.body, response.json(), reassignments)
}

function headersOf(facts: FixtureFacts, auth: RecordedRead['auth']): Record<string, string> {
  switch (auth) {
    case 'secret':
      return { authorization: `Bearer ${facts.workspace.secretKey}` }
    case 'public':
      return { authorization: `Bearer ${facts.workspace.publicKey}` }
    case 'owner-session':
      return {
        cookie: `${sessionCookieName}=${facts.ownerSession.cookie}`,
        'x-csrf-token': facts.ownerSession.csrfToken,
      }
  }
}
