import type { Kysely } from 'kysely'
import type { DB } from './schema.js'

export type Database = Kysely<DB>
export type DialectName = 'sqlite' | 'postgres'

/** An open store: the Kysely instance and what it runs on. */
export interface Storage {
  readonly db: Database
  readonly dialect: DialectName
  /** Where the data lives, for humans: a file path or a URL without its password. */
  readonly location: string
  /** The PostgreSQL schema in use when it is not the default one. */
  readonly schema?: string
  close(): Promise<void>
}
