import { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import type { Database } from '../storage/index.js'
import { insertRows } from '../storage/index.js'
import type { DB } from '../storage/index.js'

/**
 * The key vault: what snapshots leave out, kept in one file per destination that is
 * rewritten on every backup and after every erasure, the one before it destroyed.
 *
 * Art. 17: a snapshot holds every row sealed, but not the subject keys that open them.
 * Those live only in the database and in the current vault. Erasing a person destroys
 * their keys in the database; the vault written next has none of them, and the older
 * vault that had them is overwritten and deleted. From then on no snapshot the instance
 * keeps, together with every key it keeps, opens that person's data.
 *
 * The vault also carries the key tables above the subject keys (the master key's check,
 * workspace and index keys, as they are now, so a snapshot from before a rotation still
 * opens) and the erasure records, which restore replays on the older snapshot.
 *
 * Format: JSON Lines. A header line, one line per row (`{"t": table, "r": row}`, bytes
 * as `{"$b": base64}`), and a trailer with the count of each table.
 */
export const vaultFormat = 'custodian-key-vault'

const vaultTables = {
  key_check: ['slot', 'provider', 'canary', 'created_at'],
  workspace_keys: ['workspace_id', 'version', 'wrapped_key', 'status', 'created_at', 'retired_at'],
  blind_index_keys: ['workspace_id', 'wrapped_key', 'created_at'],
  subject_keys: [
    'workspace_id',
    'subject_id',
    'version',
    'wrapped_key',
    'workspace_key_version',
    'status',
    'created_at',
  ],
  subject_erasures: [
    'id',
    'workspace_id',
    'key_holders',
    'requested_by',
    'planned_at',
    'keys_destroyed_at',
    'completed_at',
    'outcome',
  ],
} as const satisfies { [T in keyof DB]?: readonly (keyof DB[T] & string)[] }

type VaultTable = keyof typeof vaultTables
type Cell = string | number | Buffer | null
type Row = Record<string, Cell>

const pageSize = 2000

export interface VaultCounts {
  subjectKeys: number
  erasures: number
}

/** The vault's clear contents, as a stream read from the database page by page. */
export function vaultPayload(
  db: Database,
  meta: { createdAt: string; dialect: string },
  onCounts: (counts: VaultCounts) => void,
): Readable {
  return Readable.from(vaultLines(db, meta, onCounts), { objectMode: false })
}

async function* vaultLines(
  db: Database,
  meta: { createdAt: string; dialect: string },
  onCounts: (counts: VaultCounts) => void,
): AsyncGenerator<Buffer> {
  yield line({ format: vaultFormat, version: 1, ...meta })
  const counts: Record<string, number> = {}
  for (const table of Object.keys(vaultTables) as VaultTable[]) {
    counts[table] = 0
    for await (const rows of pagesOf(db, table)) {
      counts[table] += rows.length
      yield Buffer.concat(rows.map((row) => line({ t: table, r: encodeRow(row) })))
    }
  }
  yield line({ end: true, counts })
  onCounts({ subjectKeys: counts.subject_keys ?? 0, erasures: counts.subject_erasures ?? 0 })
}

async function* pagesOf(db: Database, table: VaultTable): AsyncGenerator<Row[]> {
  // Pages by offset over a stable order: the vault is read after the snapshot, and a row
  // added meanwhile may appear in a page twice or not at all; restore inserts skipping
  // duplicates, and a key added after the snapshot opens nothing the snapshot holds.
  const order = vaultTables[table]
  for (let offset = 0; ; offset += pageSize) {
    let query = db.selectFrom(table).select([...order] as never[])
    for (const column of order.slice(0, 3)) query = query.orderBy(column as never)
    const rows = (await query.limit(pageSize).offset(offset).execute()) as Row[]
    if (rows.length === 0) return
    yield rows
    if (rows.length < pageSize) return
  }
}

function line(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value)}\n`, 'utf8')
}

function encodeRow(row: Row): Record<string, unknown> {
  const encoded: Record<string, unknown> = {}
  for (const [column, value] of Object.entries(row)) {
    encoded[column] = Buffer.isBuffer(value) ? { $b: value.toString('base64') } : value
  }
  return encoded
}

function decodeCell(value: unknown): Cell {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value
  if (typeof value === 'object' && typeof (value as { $b?: unknown }).$b === 'string') {
    return Buffer.from((value as { $b: string }).$b, 'base64')
  }
  throw new VaultError('a value in the key vault is of no known kind')
}

export class VaultError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'VaultError'
  }
}

export interface AppliedVault {
  subjectKeys: number
  /** Erasure records the snapshot did not have, now open for the replay. */
  erasuresToReplay: number
}

/**
 * Puts a vault's keys and erasure records into a restored database, inside `trx`. The
 * snapshot's key tables are replaced by the vault's; erasure records the snapshot lacks
 * are inserted open (not completed) for `resumeErasures` to carry out on it.
 */
export async function applyVault(trx: Database, payload: Readable): Promise<AppliedVault> {
  for (const table of [
    'key_check',
    'workspace_keys',
    'blind_index_keys',
    'subject_keys',
  ] as const) {
    await trx.deleteFrom(table).execute()
  }
  const known = new Set(
    (await trx.selectFrom('subject_erasures').select('id').execute()).map((row) => row.id),
  )
  const workspaces = new Set(
    (await trx.selectFrom('workspaces').select('id').execute()).map((row) => row.id),
  )
  const pending = new Map<VaultTable, Row[]>()
  let header = false
  let trailer: Record<string, unknown> | undefined
  const counts: Record<string, number> = {}
  let subjectKeys = 0
  let erasuresToReplay = 0
  const flush = async (table: VaultTable) => {
    const rows = pending.get(table) ?? []
    pending.set(table, [])
    if (rows.length === 0) return
    // The table and its columns come from the list above, never from the file.
    const columns = vaultTables[table] as unknown as typeof vaultTables.subject_keys
    await insertRows(trx, table as 'subject_keys', columns, rows, { skipConflicts: true })
  }
  for await (const text of linesOf(payload)) {
    if (trailer !== undefined) throw new VaultError('lines follow the end of the key vault')
    const value = parseLine(text)
    if (!header) {
      if (value.format !== vaultFormat || value.version !== 1) {
        throw new VaultError('the file is not a Custodian key vault')
      }
      header = true
      continue
    }
    if (value.end === true) {
      trailer = value
      continue
    }
    const table = value.t
    if (typeof table !== 'string' || !Object.hasOwn(vaultTables, table)) {
      throw new VaultError('the key vault names a table it may not hold')
    }
    const vaultTable = table as VaultTable
    const row: Row = {}
    const raw = value.r
    if (typeof raw !== 'object' || raw === null)
      throw new VaultError('a key vault row is not an object')
    for (const column of vaultTables[vaultTable]) {
      row[column] = decodeCell((raw as Record<string, unknown>)[column] ?? null)
    }
    counts[vaultTable] = (counts[vaultTable] ?? 0) + 1
    if (vaultTable === 'subject_erasures') {
      if (known.has(String(row.id)) || !workspaces.has(String(row.workspace_id))) continue
      // Replayed on the restored data: the walk deletes the person's rows again there.
      row.completed_at = null
      row.outcome = null
      erasuresToReplay += 1
    }
    if (vaultTable === 'subject_keys') subjectKeys += 1
    const list = pending.get(vaultTable) ?? []
    list.push(row)
    pending.set(vaultTable, list)
    if (list.length >= 500) await flush(vaultTable)
  }
  if (!header || trailer === undefined) throw new VaultError('the key vault is cut short')
  const declared = trailer.counts as Record<string, unknown> | undefined
  for (const table of Object.keys(vaultTables)) {
    if ((declared?.[table] ?? 0) !== (counts[table] ?? 0)) {
      throw new VaultError('the key vault’s counts do not match its rows')
    }
  }
  for (const table of Object.keys(vaultTables) as VaultTable[]) await flush(table)
  return { subjectKeys, erasuresToReplay }
}

async function* linesOf(payload: Readable): AsyncGenerator<string> {
  // A character may be cut between two chunks: the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8')
  let rest = ''
  for await (const chunk of payload as AsyncIterable<Buffer>) {
    rest += decoder.write(chunk)
    let at = rest.indexOf('\n')
    while (at >= 0) {
      yield rest.slice(0, at)
      rest = rest.slice(at + 1)
      at = rest.indexOf('\n')
    }
  }
  rest += decoder.end()
  if (rest.length > 0) yield rest
}

function parseLine(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>
  } catch {
    // Falls through to the error below.
  }
  throw new VaultError('a line of the key vault is not JSON')
}
