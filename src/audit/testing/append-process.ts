/**
 * Another process appending to the audit log, for the multi-process test: opens the
 * store named by its environment, says `ready`, waits for a line on stdin (so both
 * processes start appending at the same moment), records AUDIT_TEST_COUNT events in
 * concurrent waves and prints the seqs it got as JSON. Run with `node --import tsx`.
 */
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { openPostgres } from '../../storage/index.js'
import { openSqlite } from '../../storage/index.js'
import { testDatabaseUrl } from '../../storage/testing/dialects.js'
import { openTestAuditLog, sampleEvent } from './audit.js'

const count = Number(process.env.AUDIT_TEST_COUNT ?? '100')
const dataDir = process.env.AUDIT_TEST_DATA_DIR
const schema = process.env.AUDIT_TEST_PG_SCHEMA
const storage =
  dataDir !== undefined
    ? openSqlite(dataDir)
    : openPostgres({
        connectionString: testDatabaseUrl,
        maxConnections: 4,
        ...(schema ? { schema } : {}),
      })
const log = await openTestAuditLog(storage)
const seqs: number[] = []
process.stdout.write('ready\n')
await once(createInterface({ input: process.stdin }), 'line')
try {
  for (let done = 0; done < count; done += 10) {
    const wave = Array.from({ length: Math.min(10, count - done) }, (_, index) =>
      log.audit.record(sampleEvent(done + index, 'ws-child')),
    )
    for (const entry of await Promise.all(wave)) seqs.push(entry.seq)
  }
} finally {
  await log.close()
  await storage.close()
}
process.stdout.write(`${JSON.stringify(seqs)}\n`)
