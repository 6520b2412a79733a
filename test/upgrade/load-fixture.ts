import { sql } from 'kysely'
import type { DialectName, Storage } from '../../src/storage/database.js'
import { migrateTo } from '../../src/storage/migrate.js'
import { openEmptyTestStorage } from '../../src/storage/testing/dialects.js'
import { bindableOf, type FixtureTable, type UpgradeFixture } from './fixture-file.js'

/**
 * Rows that migrations themselves insert, by table, with their key: the fixture's row
 * replaces the seed. (The audit chain head cannot be deleted, even by a test.)
 */
const seededByMigrations: Readonly<Record<string, readonly string[]>> = {
  audit_chain_head: ['slot'],
  shred_epoch: ['slot'],
}

export interface ReleaseStore {
  storage: Storage
  cleanup: () => Promise<void>
}

/**
 * A fresh store of the given dialect holding exactly what the release held: the schema
 * rebuilt by today's migrations up to the release's last one, then the release's rows.
 * Fails when those migrations no longer make the tables and columns the release had:
 * a migration already released was edited, and installed databases are not what it says.
 */
export async function openReleaseStore(
  dialect: DialectName,
  fixture: UpgradeFixture,
): Promise<ReleaseStore> {
  const made = await openEmptyTestStorage(dialect)
  try {
    await migrateTo(made.storage, fixture.schemaVersion)
    await assertSameSchema(made.storage, fixture)
    for (const table of fixture.tables) await loadTable(made.storage, table)
    return made
  } catch (error) {
    await made.cleanup()
    throw error
  }
}

/** Every table (but Kysely's own) and its columns, sorted, for comparing schemas. */
export async function schemaOf(storage: Storage): Promise<Record<string, string[]>> {
  const tables = await storage.db.introspection.getTables()
  return Object.fromEntries(
    tables
      .filter((table) => !table.name.startsWith('kysely_'))
      .map((table) => [table.name, table.columns.map((column) => column.name).sort()] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  )
}

async function assertSameSchema(storage: Storage, fixture: UpgradeFixture): Promise<void> {
  const rebuilt = JSON.stringify(await schemaOf(storage))
  const released = JSON.stringify(
    Object.fromEntries(
      fixture.tables
        .map((table) => [table.name, [...table.columns].sort()] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
  )
  if (rebuilt !== released) {
    throw new Error(
      `Migrations up to ${fixture.schemaVersion} no longer make the schema the release had.\n` +
        `release: ${released}\nrebuilt: ${rebuilt}`,
    )
  }
}

async function loadTable(storage: Storage, table: FixtureTable): Promise<void> {
  const key = seededByMigrations[table.name]
  if (key === undefined) {
    const seeded = await sql<{ count: number | string }>`select count(*) as count
      from ${sql.table(table.name)}`.execute(storage.db)
    if (Number(seeded.rows[0]?.count ?? 0) > 0) {
      throw new Error(`A migration seeds ${table.name}: add its key to seededByMigrations`)
    }
  }
  const columns = sql.join(table.columns.map((column) => sql.ref(column)))
  const replace =
    key === undefined
      ? sql``
      : sql`on conflict (${sql.join(key.map((column) => sql.ref(column)))}) do update set ${sql.join(
          table.columns.map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`),
        )}`
  for (const row of table.rows) {
    const values = sql.join(row.map((value) => sql`${bindableOf(value)}`))
    await sql`insert into ${sql.table(table.name)} (${columns}) values (${values}) ${replace}`.execute(
      storage.db,
    )
  }
}
