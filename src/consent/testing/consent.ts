import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { openTestAuditLog, type TestAuditLog } from '../../audit/testing/audit.js'
import { ManualClock } from '../../clock.js'
import { composeWorkspaceSettings } from '../../settings-fragments.js'
import type { Storage } from '../../storage/index.js'
import { createWorkspace, type Workspace } from '../../workspaces/index.js'
import type { ConsentDeps, LedgerContext } from '../consent.deps.js'
import { consentTables } from '../personal-data.js'

export interface ConsentHarness extends TestAuditLog {
  deps: ConsentDeps
  close(): Promise<void>
}

/** Real consent services on a test store: real keyring, real audit log, a manual clock. */
export async function openConsentHarness(storage: Storage): Promise<ConsentHarness> {
  const clock = new ManualClock('2026-03-01T09:00:00Z')
  // The ledger's own sealed columns, so re-sealing has what to re-seal.
  const sealedColumns = consentTables.flatMap((table) =>
    table.sealed === undefined ? [] : [{ table: table.name, ...table.sealed }],
  )
  const log = await openTestAuditLog(storage, { clock, sealedColumns })
  return {
    ...log,
    deps: {
      db: storage.db,
      keyring: log.keyring,
      audit: log.audit,
      clock,
      publicUrl: () => 'https://custodian.test',
    },
  }
}

/** A fresh workspace (a tenant) through the workspaces service. */
export async function makeWorkspace(
  harness: ConsentHarness,
  name = 'Consent test',
): Promise<Workspace> {
  return createWorkspace(
    {
      db: harness.deps.db,
      audit: harness.audit,
      clock: harness.clock,
      instanceRegion: 'eu',
      settings: composeWorkspaceSettings(),
    },
    { name, actor: { actorType: 'system', actorId: null } },
  )
}

/** What the browser SDK's request would carry as proof. */
export function sdkContext(
  ip = '203.0.113.50',
  userAgent = 'Mozilla/5.0 (TestOS) ConsentProbe/1.0',
): LedgerContext {
  return {
    source: 'sdk',
    actor: { actorType: 'api-key', actorId: 'pk-test' },
    requestId: 'req-test',
    ip,
    userAgent,
    callerIp: ip,
  }
}

export const controllerContext: LedgerContext = {
  source: 'api',
  actor: { actorType: 'api-key', actorId: 'sk-test' },
  requestId: 'req-api',
  ip: null,
  userAgent: null,
  callerIp: null,
}

let receiptValidator: ValidateFunction | undefined

/** The receipt JSON Schema kept in the repository, compiled with formats checked. */
export function receiptSchemaValidator(): ValidateFunction {
  if (receiptValidator !== undefined) return receiptValidator
  const schema: unknown = JSON.parse(
    readFileSync(new URL('../consent-receipt.schema.json', import.meta.url), 'utf8'),
  )
  const ajv = new Ajv({ allErrors: true, strict: true })
  addFormats.default(ajv)
  receiptValidator = ajv.compile(schema as object)
  return receiptValidator
}
