/**
 * How much of an SQLite file is read memory-mapped, sparing a copy per page read: the
 * server's connection (sqlite.ts) and the audit verification workers use the same.
 * Apart from sqlite.ts so a worker can read it without loading Kysely.
 */
export const sqliteMmapBytes = 1024 * 1024 * 1024
