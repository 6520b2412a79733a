import type {
  BlindIdentifier,
  PersonalDataSource,
  PersonalTable,
  ResolvedSubject,
  RetentionRule,
  RetentionScope,
} from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { viewOf } from './read-events.js'
import type { TrackingDeps } from './tracking.deps.js'
import { trackingSettings } from './tracking.settings.js'
import {
  countEventsReceivedBefore,
  deleteEventsOfPerson,
  deleteEventsReceivedBefore,
  selectEventsOfPersonPage,
  summariseEventsOfPerson,
} from './tracking.repository.js'

/** The tracking module's personal data: a person's page views and events. */
export const trackingTables: readonly PersonalTable[] = [
  {
    name: 'tracking_events',
    categories: ['browsing', 'device', 'location', 'ip-address', 'identifiers'],
    // One envelope per event under the key of the subject it was made for.
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'subject_id',
      columns: ['sealed'],
    },
    otherBinary: {
      anonymous_index: 'a keyed blind index (HMAC) of the anonymous id',
      external_index: 'a keyed blind index (HMAC) of the external id',
    },
    retention: "the workspace's event retention (retentionDays.events); erased with the person",
  },
]

const exportPageSize = 1_000

export function trackingPersonalData(
  deps: Pick<TrackingDeps, 'db' | 'keyring'>,
): PersonalDataSource {
  return {
    module: 'tracking',
    tables: trackingTables,
    async locate(subject) {
      const found = await summariseEventsOfPerson(deps.db, subject.workspaceId, filterOf(subject))
      return {
        rows: { tracking_events: found.events },
        keyHolders: found.subjectIds,
        identifiers: [
          ...found.anonymousIndexes.map((blindIndex): BlindIdentifier => ({
            kind: 'anonymous_id',
            blindIndex,
          })),
          ...found.externalIndexes.map((blindIndex): BlindIdentifier => ({
            kind: 'external_id',
            blindIndex,
          })),
        ],
      }
    },
    async exportTo(subject, writer) {
      const filter = filterOf(subject)
      let afterId: string | undefined
      for (;;) {
        const rows = await selectEventsOfPersonPage(deps.db, subject.workspaceId, filter, {
          limit: exportPageSize,
          ...(afterId === undefined ? {} : { afterId }),
        })
        const subjectIds = [...new Set(rows.map((row) => row.subject_id))]
        const sealers = await deps.keyring.sealersFor(subject.workspaceId, subjectIds, {
          create: false,
        })
        for (const row of rows) {
          await writer.add('tracking', 'events', { ...viewOf(row, sealers.get(row.subject_id)) })
        }
        if (rows.length < exportPageSize) return
        afterId = rows.at(-1)?.id
      }
    },
    async erase(trx, subject) {
      const events = await deleteEventsOfPerson(trx, subject.workspaceId, filterOf(subject))
      return { outcome: 'erased', rows: { tracking_events: events } }
    },
    retention: [eventsRetention(deps.db)],
  }
}

/**
 * Art. 5(1)(e): events go once the workspace's event period has passed since they were
 * received (when the controller obtained them; ingest refuses an event older than the
 * period, so none is kept much past it).
 */
function eventsRetention(db: Database): RetentionRule {
  const cutoffOf = (scope: RetentionScope) => {
    const days = trackingSettings.read(scope.settings ?? {}).retentionDays.events
    return { days, cutoff: new Date(scope.now.getTime() - days * 86_400_000).toISOString() }
  }
  return {
    name: 'tracking-events',
    table: 'tracking_events',
    scope: 'workspace',
    describe: (scope) => `events received more than ${String(cutoffOf(scope).days)} days ago`,
    countExpired: async (scope) =>
      scope.workspaceId === null
        ? 0
        : countEventsReceivedBefore(db, scope.workspaceId, cutoffOf(scope).cutoff),
    purgeExpired: async (trx, scope, limit) =>
      scope.workspaceId === null
        ? 0
        : deleteEventsReceivedBefore(trx, scope.workspaceId, cutoffOf(scope).cutoff, limit),
  }
}

function filterOf(subject: ResolvedSubject) {
  const of = (kind: BlindIdentifier['kind']) =>
    subject.identifiers.filter((item) => item.kind === kind).map((item) => item.blindIndex)
  return {
    anonymousIndexes: of('anonymous_id'),
    externalIndexes: of('external_id'),
    subjectIds: subject.keyHolders,
  }
}
