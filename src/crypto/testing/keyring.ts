import { createHash } from 'node:crypto'
import { type Clock, ManualClock } from '../../clock.js'
import type { Storage } from '../../storage/index.js'
import { type CapturedLogs, captureLogs } from '../../testing/log-capture.js'
import { type Keyring, openKeyring } from '../keyring.js'
import type { SealedColumns } from '../sealed-columns.js'

/** A fixed master key per seed, as `CUSTODIAN_MASTER_KEY` would carry it (base64). */
export function testMasterKey(seed = 'one'): string {
  return createHash('sha256').update(`custodian test master key ${seed}`).digest('base64')
}

export interface TestKeyringOptions {
  masterKey?: string
  clock?: Clock
  sealedColumns?: readonly SealedColumns[]
  cache?: { subjects?: number; subjectTtlMs?: number }
  listenForShreds?: boolean
}

/** A real keyring on a test store, with the master key given as configuration. */
export async function openTestKeyring(
  storage: Storage,
  options: TestKeyringOptions = {},
): Promise<{ keyring: Keyring; logs: CapturedLogs }> {
  const logs = captureLogs()
  const keyring = await openKeyring({
    storage,
    config: { dataDir: '/nonexistent', masterKey: options.masterKey ?? testMasterKey() },
    logger: logs.logger,
    clock: options.clock ?? new ManualClock(),
    ...(options.sealedColumns ? { sealedColumns: options.sealedColumns } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.listenForShreds === undefined ? {} : { listenForShreds: options.listenForShreds }),
  })
  return { keyring, logs }
}
