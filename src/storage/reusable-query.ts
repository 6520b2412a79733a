import { CompiledQuery, type RawBuilder } from 'kysely'
import { dialectOf } from './column-types.js'
import type { Database, DialectName } from './database.js'
import { preparedOnIdleSqlite } from './sqlite.js'

/**
 * A statement on a hot path, compiled to SQL text once per dialect and then run with
 * each call's values. Building and compiling a Kysely query costs more than SQLite
 * takes to answer a primary-key look-up; the text never changes between calls, only
 * the values do. With the SQLite connection's statement cache (sqlite.ts) the database
 * does not re-parse it either, and a read on SQLite outside any transaction runs on the
 * connection at once instead of queueing behind Kysely's lock (preparedOnIdleSqlite).
 *
 * The builder must use each argument only as a bound value (`${arg}` in `sql`), never to
 * decide the shape of the SQL: it is called once, with placeholders, to learn the text
 * and where each argument goes. Only the number of arguments may shape it (a rest
 * parameter joined into an `in (…)` list): each count gets its own text.
 *
 * @example
 *   const byId = reusableQuery((workspaceId: string, id: string) =>
 *     sql<Row>`select … where workspace_id = ${workspaceId} and id = ${id}`)
 *   const rows = await byId.execute(db, workspaceId, id)
 */
export interface ReusableQuery<Args extends unknown[], Row> {
  execute(db: Database, ...args: Args): Promise<Row[]>
}

/** Stands for argument `index` while the builder is compiled. */
class Placeholder {
  constructor(readonly index: number) {}
}

export function reusableQuery<Args extends unknown[], Row>(
  build: (...args: Args) => RawBuilder<Row>,
): ReusableQuery<Args, Row> {
  // Keyed by dialect and argument count: a builder with a rest parameter (`...ids` in an
  // `in (…)` list) has one text per count, its shape fixed by the count alone.
  const compiled = new Map<string, { sql: string; argumentAt: number[] }>()
  const compileFor = (db: Database, count: number) => {
    const dialect: DialectName = dialectOf(db)
    const cacheKey = `${dialect}:${String(count)}`
    const known = compiled.get(cacheKey)
    if (known !== undefined) return known
    const placeholders = Array.from({ length: count }, (_, index) => new Placeholder(index))
    const query = build(...(placeholders as Args)).compile(db)
    const argumentAt = query.parameters.map((parameter) => {
      if (!(parameter instanceof Placeholder)) {
        throw new Error('A reusable query may bind only its own arguments')
      }
      return parameter.index
    })
    const made = { sql: query.sql, argumentAt }
    compiled.set(cacheKey, made)
    return made
  }
  return Object.freeze({
    async execute(db: Database, ...args: Args): Promise<Row[]> {
      const { sql, argumentAt } = compileFor(db, args.length)
      const parameters = argumentAt.map((index) => args[index])
      // A read-only statement on an idle SQLite connection runs at once, past Kysely's lock
      // (see there); anything that writes, even with RETURNING, queues as before.
      const statement = preparedOnIdleSqlite(db, sql)
      if (statement?.readonly === true) return statement.all(parameters) as Row[]
      const result = await db.executeQuery<Row>(CompiledQuery.raw(sql, parameters))
      return result.rows
    },
  })
}

/**
 * A chunk of at most `chunkSize` values padded with a value that matches no row up to
 * the next size class (1, 2, 4 … 256, then the chunk size), so each batch statement of
 * a reusable query has ten texts, not one per length: batches of every size would
 * otherwise fill the prepared-statement cache.
 */
export function padToSizeClass<T>(chunk: readonly T[], filler: T, chunkSize = 500): T[] {
  let size = 1
  while (size < chunk.length && size < 256) size *= 2
  if (chunk.length > size) size = Math.max(chunk.length, chunkSize)
  const padded = chunk.slice()
  while (padded.length < size) padded.push(filler)
  return padded
}
