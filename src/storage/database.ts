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
  /**
   * PostgreSQL only: calls `onSignal` when a transaction on this database and schema
   * that ran `signal(db, channel)` commits, from any process, over a connection of its
   * own (LISTEN). When that connection fails, `onSignal` is called too (a signal may
   * have been missed), `onLost` says why, and it reconnects by itself.
   */
  readonly listen?: (
    channel: string,
    onSignal: () => void,
    onLost: (error: unknown) => void,
  ) => Promise<Listening>
  close(): Promise<void>
}

/** A subscription made by `Storage.listen`; `close` ends it and its connection. */
export interface Listening {
  close(): Promise<void>
}
