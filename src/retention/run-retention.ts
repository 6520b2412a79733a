import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import type { PersonalDataRegistry, RetentionRule, RetentionScope } from '../personal-data/index.js'
import { type Database, inWriteTransaction } from '../storage/index.js'
import { listAllWorkspaces } from '../workspaces/index.js'

export interface RetentionDeps {
  readonly db: Database
  readonly audit: AuditLog
  readonly clock: Clock
  readonly logger: Logger
  readonly registry: PersonalDataRegistry
  /** The instance's own periods, for rules of rows that belong to no workspace. */
  readonly instanceSettings: Readonly<Record<string, unknown>>
}

export interface RetentionOptions {
  /** Count what would go and delete nothing. */
  readonly dryRun?: boolean
  /** Rows per transaction (default 5000): short (tens of ms), so writers keep going. */
  readonly batchSize?: number
  /** Only this workspace's rules (and none of the instance's); all when absent. */
  readonly workspaceId?: string
}

/** One rule's outcome for one workspace (or the instance). */
export interface RetentionOutcome {
  readonly rule: string
  readonly module: string
  readonly table: string
  readonly workspaceId: string | null
  readonly period: string
  /** Rows deleted, or that a dry run would delete. */
  readonly rows: number
  readonly batches: number
}

/**
 * Storage limitation (Art. 5(1)(e)): walks every source's retention rules in the
 * personal-data registry (the modules own the SQL; this never names a table) for each
 * workspace with its settings, and once for the instance's own rows, and deletes what
 * has expired in short batches. Each rule that removed something is audited once with
 * its count. A dry run only counts.
 */
export async function runRetention(
  deps: RetentionDeps,
  options: RetentionOptions = {},
): Promise<RetentionOutcome[]> {
  const now = deps.clock.now()
  const rules = deps.registry.sources.flatMap((source) =>
    (source.retention ?? []).map((rule) => ({ module: source.module, rule })),
  )
  const workspaces = (await listAllWorkspaces(deps.db)).filter(
    (workspace) => options.workspaceId === undefined || workspace.id === options.workspaceId,
  )
  const scopes: RetentionScope[] = [
    ...(options.workspaceId === undefined
      ? [{ workspaceId: null, settings: deps.instanceSettings, now }]
      : []),
    ...workspaces.map((workspace) => ({
      workspaceId: workspace.id,
      settings: workspace.settings,
      now,
    })),
  ]
  const outcomes: RetentionOutcome[] = []
  for (const scope of scopes) {
    for (const { module, rule } of rules) {
      if ((rule.scope === 'instance') !== (scope.workspaceId === null)) continue
      const outcome = options.dryRun
        ? { rows: await rule.countExpired(scope), batches: 0 }
        : await purge(deps, rule, scope, options.batchSize ?? 5000)
      outcomes.push({
        rule: rule.name,
        module,
        table: rule.table,
        workspaceId: scope.workspaceId,
        period: rule.describe(scope),
        ...outcome,
      })
    }
  }
  return outcomes
}

async function purge(
  deps: RetentionDeps,
  rule: RetentionRule,
  scope: RetentionScope,
  batchSize: number,
): Promise<{ rows: number; batches: number }> {
  let rows = 0
  let batches = 0
  for (;;) {
    const removed = await inWriteTransaction(deps.db, (trx) =>
      rule.purgeExpired(trx, scope, batchSize),
    )
    rows += removed
    batches += 1
    if (removed < batchSize) break
    // Between batches, whatever waits for the database (ingest's group commit, a
    // request's read) goes first: on SQLite they share one connection, and a purge that
    // asked again at once would take it back before them, for the whole run.
    await new Promise((resolve) => setImmediate(resolve))
  }
  if (rows > 0) {
    // Counts only: which rule, which table, how many rows (Art. 5(2): shown, not told).
    await deps.audit.record({
      workspaceId: scope.workspaceId,
      actor: { actorType: 'system', actorId: null },
      action: 'retention.purged',
      resource: { type: 'retention_rule', id: rule.name },
      purpose: 'storage-limitation',
      outcome: 'succeeded',
      details: { rule: rule.name, table: rule.table, rows, batches },
    })
    deps.logger.info({ rule: rule.name, workspace: scope.workspaceId, rows }, 'retention purged')
  }
  return { rows, batches }
}
