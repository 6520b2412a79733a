// The write transaction belongs to storage; this re-export keeps older imports working.
export { inWriteTransaction, isInTransaction, locksRows } from '../storage/index.js'
