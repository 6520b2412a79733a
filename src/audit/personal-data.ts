import type { Keyring } from '../crypto/index.js'
import type {
  PersonalDataSource,
  PersonalTable,
  ResolvedSubject,
  RetentionRule,
  RetentionScope,
} from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { countPurgeableEntries, purgeEntriesBefore } from './anchor.js'
import { selectEntriesOfPerson } from './audit.repository.js'
import { subjectRefKind } from './seal-entries.js'

/**
 * The audit log's personal data: entries about a person and by them. It is kept when
 * the person is erased: the record of who read or changed whose data is what shows the
 * controller kept the rules (Art. 5(2), 17(3)(b) and (e)), and rewriting it would break
 * the hash chain that proves nothing was altered. Nothing in it is in clear: the person
 * is a blind reference, and an IP is sealed under the key of the actor, so an erased
 * operator's addresses stop opening with their key.
 */
export const auditTables: readonly PersonalTable[] = [
  {
    name: 'audit_entries',
    categories: ['access-log', 'ip-address'],
    otherBinary: {
      ip_sealed:
        "sealed under the actor's key when written and never re-sealed: its bytes are part of the hash chain",
      prev_hash: 'the hash chain',
      hash: 'the hash chain',
    },
    retention:
      'kept: the record of processing (Art. 5(2), 17(3)(b), (e)); with CUSTODIAN_AUDIT_RETENTION_DAYS, entries older than that go, the chain anchored where they end',
  },
]

const pageSize = 1_000

export function auditPersonalData(deps: { db: Database; keyring: Keyring }): PersonalDataSource {
  const personOf = async (subject: ResolvedSubject) => {
    const indexer = await deps.keyring.indexerFor(subject.workspaceId)
    return {
      subjectRefs: subject.keyHolders.map((id) => indexer.hex(subjectRefKind, id)),
      actorIds: subject.keyHolders,
    }
  }
  const eachEntry = async (
    subject: ResolvedSubject,
    visit: (entry: Awaited<ReturnType<typeof selectEntriesOfPerson>>[number]) => Promise<void>,
  ) => {
    const person = await personOf(subject)
    let afterSeq: number | undefined
    for (;;) {
      const page = await selectEntriesOfPerson(deps.db, subject.workspaceId, person, {
        limit: pageSize,
        ...(afterSeq === undefined ? {} : { afterSeq }),
      })
      for (const entry of page) await visit(entry)
      if (page.length < pageSize) return
      afterSeq = page.at(-1)?.seq
    }
  }
  return {
    module: 'audit',
    tables: auditTables,
    async locate(subject) {
      let entries = 0
      await eachEntry(subject, async () => {
        entries += 1
      })
      return { rows: { audit_entries: entries }, keyHolders: [], identifiers: [] }
    },
    async exportTo(subject, writer) {
      await eachEntry(subject, async (entry) => {
        await writer.add('audit', 'access-log', {
          at: entry.at,
          action: entry.action,
          outcome: entry.outcome,
          actorType: entry.actor_type,
          resourceType: entry.resource_type,
          purpose: entry.purpose,
        })
      })
    },
    // Nothing is deleted, so nothing is read here either: the plan's counts stand.
    async erase() {
      return {
        outcome: 'retained',
        bases: ['art-17-3-b', 'art-17-3-e'],
        why: 'the audit log records who processed whose data; it holds the person only as a blind reference',
        rows: {},
      }
    },
    retention: [auditRetention(deps)],
  }
}

/**
 * The log's own rule: off unless the instance sets a period (`auditRetentionDays` in the
 * instance's settings, from CUSTODIAN_AUDIT_RETENTION_DAYS); then the oldest entries go
 * as a prefix and the chain stays verifiable from its sealed anchor.
 */
function auditRetention(deps: { db: Database; keyring: Keyring }): RetentionRule {
  const cutoffOf = (scope: RetentionScope) => {
    const days = scope.settings?.auditRetentionDays
    return typeof days === 'number'
      ? { days, cutoff: new Date(scope.now.getTime() - days * 86_400_000).toISOString() }
      : undefined
  }
  return {
    name: 'audit-entries',
    table: 'audit_entries',
    scope: 'instance',
    describe: (scope) => {
      const period = cutoffOf(scope)
      return period === undefined
        ? 'kept whole (no audit retention period is set)'
        : `entries older than ${String(period.days)} days, the chain anchored where they end`
    },
    async countExpired(scope) {
      const period = cutoffOf(scope)
      return period === undefined ? 0 : countPurgeableEntries(deps.db, period.cutoff)
    },
    async purgeExpired(trx, scope, limit) {
      const period = cutoffOf(scope)
      if (period === undefined) return 0
      return purgeEntriesBefore(trx, deps.keyring, { cutoff: period.cutoff, limit, now: scope.now })
    },
  }
}
