import { type RawBuilder, sql } from 'kysely'
import type { Database } from '../storage/index.js'
import { readEnvelopeHeader } from './envelope.js'
import type { KeyStore, SubjectKeys } from './key-store.js'
import type { RotationProgress } from './rotate.js'
import type { SealedColumns, SealedColumnRegistry } from './sealed-columns.js'
import { SubjectSealer } from './subject-sealer.js'
import { countSubjects, selectSubjectPage } from './subject-keys.js'

export interface ResealReport {
  /** Subjects given a new data key version. */
  subjectKeys: number
  /** Values re-encrypted, over every registered table. */
  values: number
  /** Rows skipped: their subject was erased, or a writer changed them meanwhile. */
  skippedRows: number
  tables: { table: string; rows: number; values: number }[]
}

export interface ResealOptions {
  batchSize: number
  onProgress?: (progress: RotationProgress) => void
}

type Row = Record<string, unknown>

/**
 * Re-encrypts a workspace's sealed data: every subject gets a new data key version,
 * then every registered sealed column is walked in batches (by id, each batch in one
 * transaction) and each value is opened and sealed again under the new version with a
 * fresh nonce. Old subject key versions are kept, retired: they seal nothing new but
 * still open a value written meanwhile by a process whose cache had not yet seen the
 * new version. A row changed by another writer during its batch is left as that writer
 * sealed it (compare-and-set on the old bytes), so the job never overwrites new data.
 */
export async function resealWorkspace(
  store: KeyStore,
  registry: SealedColumnRegistry,
  workspaceId: string,
  options: ResealOptions,
): Promise<ResealReport> {
  // An empty list would re-key every subject and re-seal nothing: the caller forgot the
  // modules' declarations (`openKeyring({ sealedColumns })`), and old values would stay
  // under the old keys without anyone noticing.
  if (registry.list().length === 0) {
    throw new Error('Re-sealing needs the sealed columns of every module; none were given')
  }
  const subjectKeys = await addSubjectKeyVersions(store, workspaceId, options)
  const report: ResealReport = { subjectKeys, values: 0, skippedRows: 0, tables: [] }
  for (const declaration of registry.list()) {
    const table = await resealTable(store, declaration, workspaceId, options)
    report.values += table.values
    report.skippedRows += table.skippedRows
    report.tables.push({ table: declaration.table, rows: table.rows, values: table.values })
  }
  return report
}

async function addSubjectKeyVersions(
  store: KeyStore,
  workspaceId: string,
  options: ResealOptions,
): Promise<number> {
  const total = await countSubjects(store.db, workspaceId)
  let done = 0
  let after: string | undefined
  options.onProgress?.({ workspaceId, phase: 'subject-keys', done, total })
  for (;;) {
    const page = await selectSubjectPage(store.db, workspaceId, after, options.batchSize)
    if (page.length === 0) return done
    done += await store.addSubjectKeyVersions(workspaceId, page)
    after = page[page.length - 1]
    options.onProgress?.({ workspaceId, phase: 'subject-keys', done, total: Math.max(total, done) })
  }
}

async function resealTable(
  store: KeyStore,
  declaration: SealedColumns,
  workspaceId: string,
  options: ResealOptions,
): Promise<{ rows: number; values: number; skippedRows: number }> {
  const total = await countRows(store.db, declaration, workspaceId)
  const progress = { workspaceId, phase: 'reseal' as const, table: declaration.table, total }
  let rows = 0
  let values = 0
  let skippedRows = 0
  let after: string | undefined
  options.onProgress?.({ ...progress, done: 0 })
  for (;;) {
    const page = await selectPage(store.db, declaration, workspaceId, after, options.batchSize)
    if (page.length === 0) break
    const subjects = page.map((row) => text(row, declaration.subjectColumn, declaration))
    // Fresh from the database: the new versions were made after anything cached.
    for (const subjectId of subjects) store.forgetCachedSubject(workspaceId, subjectId)
    const keys = await store.subjectKeys(store.scopeFor(undefined), workspaceId, subjects, false)
    const outcome = await store.inTransaction(store.scopeFor(undefined), (scope) =>
      resealPage(scope.db, declaration, workspaceId, page, keys),
    )
    rows += outcome.rows
    values += outcome.values
    skippedRows += outcome.skippedRows
    after = text(page[page.length - 1] ?? {}, declaration.idColumn, declaration)
    options.onProgress?.({
      ...progress,
      done: rows + skippedRows,
      total: Math.max(total, rows + skippedRows),
    })
  }
  return { rows, values, skippedRows }
}

async function resealPage(
  db: Database,
  declaration: SealedColumns,
  workspaceId: string,
  page: readonly Row[],
  keys: ReadonlyMap<string, SubjectKeys>,
): Promise<{ rows: number; values: number; skippedRows: number }> {
  let rows = 0
  let values = 0
  let skippedRows = 0
  for (const row of page) {
    const rowId = text(row, declaration.idColumn, declaration)
    const subjectKeys = keys.get(text(row, declaration.subjectColumn, declaration))
    if (subjectKeys === undefined) {
      // Erased: nothing can be opened, and the rights module deletes the row itself.
      skippedRows += 1
      continue
    }
    const sealer = new SubjectSealer(subjectKeys)
    const changes: { column: string; before: Buffer; after: Buffer }[] = []
    for (const column of declaration.columns) {
      const before = row[column]
      if (before === null || before === undefined) continue
      if (!Buffer.isBuffer(before)) {
        throw new Error(
          `${declaration.table}.${column} is declared sealed but is not a binary column`,
        )
      }
      const field = { table: declaration.table, column, rowId }
      const { kind } = readEnvelopeHeader(before, {
        ...field,
        workspaceId,
        subjectId: sealer.subjectId,
      })
      const plaintext = sealer.openBytes(kind, field, before)
      changes.push({ column, before, after: sealer.sealBytes(kind, field, plaintext) })
      plaintext.fill(0)
    }
    if (changes.length === 0) continue
    if (await updateIfUnchanged(db, declaration, workspaceId, rowId, changes)) {
      rows += 1
      values += changes.length
    } else {
      skippedRows += 1
    }
  }
  return { rows, values, skippedRows }
}

async function updateIfUnchanged(
  db: Database,
  declaration: SealedColumns,
  workspaceId: string,
  rowId: string,
  changes: readonly { column: string; before: Buffer; after: Buffer }[],
): Promise<boolean> {
  const assignments = sql.join(
    changes.map((change) => sql`${sql.ref(change.column)} = ${change.after}`),
  )
  const unchanged: RawBuilder<unknown>[] = changes.map(
    (change) => sql`${sql.ref(change.column)} = ${change.before}`,
  )
  const result = await sql`update ${sql.table(declaration.table)} set ${assignments}
    where ${sql.ref(declaration.idColumn)} = ${rowId}
    and ${sql.ref(declaration.workspaceColumn)} = ${workspaceId}
    and ${sql.join(unchanged, sql` and `)}`.execute(db)
  return Number(result.numAffectedRows ?? 0) > 0
}

async function selectPage(
  db: Database,
  declaration: SealedColumns,
  workspaceId: string,
  after: string | undefined,
  limit: number,
): Promise<Row[]> {
  const columns = sql.join(
    [declaration.idColumn, declaration.subjectColumn, ...declaration.columns].map((name) =>
      sql.ref(name),
    ),
  )
  const id = sql.ref(declaration.idColumn)
  const from = after === undefined ? sql`` : sql`and ${id} > ${after}`
  const result = await sql<Row>`select ${columns} from ${sql.table(declaration.table)}
    where ${sql.ref(declaration.workspaceColumn)} = ${workspaceId} ${from}
    order by ${id} limit ${limit}`.execute(db)
  return result.rows
}

async function countRows(
  db: Database,
  declaration: SealedColumns,
  workspaceId: string,
): Promise<number> {
  const result = await sql<{ count: number | string | bigint }>`select count(*) as count
    from ${sql.table(declaration.table)}
    where ${sql.ref(declaration.workspaceColumn)} = ${workspaceId}`.execute(db)
  return Number(result.rows[0]?.count ?? 0)
}

function text(row: Row, column: string, declaration: SealedColumns): string {
  const value = row[column]
  if (typeof value !== 'string') {
    throw new Error(`${declaration.table}.${column} must be a text column to be walked by reseal`)
  }
  return value
}
