import type { Config } from '../config.js'
import type { Storage } from './database.js'
import { openPostgres } from './postgres.js'
import { openSqlite } from './sqlite.js'

/** PostgreSQL when `DATABASE_URL` is set, otherwise SQLite in the data directory. */
export function openStorage(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Storage {
  if (config.databaseUrl) return openPostgres({ connectionString: config.databaseUrl })
  return openSqlite(config.dataDir)
}
