/**
 * Storage: the two dialects (SQLite embedded, PostgreSQL), migrations, the database
 * type, write transactions and the hot-path query helpers. Other modules import only
 * from here.
 */
export { binaryColumnType, dialectOf } from './column-types.js'
export { type Database, type DialectName, type Listening, type Storage } from './database.js'
export { isUniqueViolation } from './errors.js'
export { insertRows } from './insert-rows.js'
export { ensureInstance } from './instance.js'
export { migrateToLatest } from './migrate.js'
export { migrations } from './migrations/index.js'
export { openStorage } from './open-storage.js'
export { channelNameIn, openPostgres, signal } from './postgres.js'
export { padToSizeClass, reusableQuery } from './reusable-query.js'
export { type DB } from './schema.js'
export { sqliteMmapBytes } from './sqlite-settings.js'
export { refreshStatistics } from './statistics.js'
export { openSqlite, sqliteDataVersion, withSqliteConnection } from './sqlite.js'
export { inWriteTransaction, isInTransaction, locksRows } from './write-transaction.js'
export { inErasingTransaction, reclaimDeadRows } from './erase-freed-bytes.js'
