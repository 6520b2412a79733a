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
 * and where each argument goes.
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
  const compiled = new Map<DialectName, { sql: string; argumentAt: number[] }>()
  const compileFor = (db: Database) => {
    const dialect = dialectOf(db)
    const known = compiled.get(dialect)
    if (known !== undefined) return known
    const placeholders = Array.from({ length: build.length }, (_, index) => new Placeholder(index))
    const query = build(...(placeholders as Args)).compile(db)
    const argumentAt = query.parameters.map((parameter) => {
      if (!(parameter instanceof Placeholder)) {
        throw new Error('A reusable query may bind only its own arguments')
      }
      return parameter.index
    })
    const made = { sql: query.sql, argumentAt }
    compiled.set(dialect, made)
    return made
  }
  return Object.freeze({
    async execute(db: Database, ...args: Args): Promise<Row[]> {
      const { sql, argumentAt } = compileFor(db)
      const parameters = argumentAt.map((index) => args[index])
      // A read on an idle SQLite connection runs at once, past Kysely's lock (see there).
      const statement = preparedOnIdleSqlite(db, sql)
      if (statement?.reader === true) return statement.all(parameters) as Row[]
      const result = await db.executeQuery<Row>(CompiledQuery.raw(sql, parameters))
      return result.rows
    },
  })
}
