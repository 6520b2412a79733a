/**
 * Whether `error` is the database refusing a row that would break a unique key:
 * PostgreSQL's SQLSTATE 23505, or SQLite's UNIQUE or PRIMARY KEY constraint.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false
  const code = error.code
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}
