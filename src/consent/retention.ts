import type { RetentionRule, RetentionScope } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { consentSettings } from './consent.settings.js'

/**
 * Consent proof is kept as long as the consent lasts (Art. 7(1): the controller must be
 * able to show it) and then for the limitation period of claims that may turn on it
 * (Art. 17(3)(e)); after that the ledger entries of a purpose the person withdrew or
 * refused go. The standing itself stays (not granted, since when), and an objection is
 * never forgotten (Art. 21(3): its processing must not resume).
 */
export function consentProofRetention(db: Database): RetentionRule {
  const cutoffOf = (scope: RetentionScope) => {
    const days = consentSettings.read(scope.settings ?? {}).consentProof.limitationDays
    return { days, cutoff: new Date(scope.now.getTime() - days * 86_400_000).toISOString() }
  }
  /** Ledger entries of (subject, purpose) pairs whose proof is past its period. */
  const proofOf = (trx: Database, workspaceId: string, cutoff: string) =>
    trx
      .selectFrom('consent_events as event')
      .where('event.workspace_id', '=', workspaceId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('consent_states as state')
            .select('state.subject_id')
            .where('state.workspace_id', '=', workspaceId)
            .whereRef('state.subject_id', '=', 'event.subject_id')
            .whereRef('state.purpose', '=', 'event.purpose')
            .where('state.granted', '=', 0)
            .where('state.objected_at', 'is', null)
            .where('state.decided_at', '<', cutoff),
        ),
      )
  return {
    name: 'consent-proof',
    table: 'consent_events',
    scope: 'workspace',
    describe: (scope) =>
      `proof of consents withdrawn or refused more than ${String(cutoffOf(scope).days)} days ago`,
    async countExpired(scope) {
      if (scope.workspaceId === null) return 0
      const row = await proofOf(db, scope.workspaceId, cutoffOf(scope).cutoff)
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .executeTakeFirstOrThrow()
      return Number(row.count)
    },
    async purgeExpired(trx, scope, limit) {
      const workspaceId = scope.workspaceId
      if (workspaceId === null) return 0
      const ids = (
        await proofOf(trx, workspaceId, cutoffOf(scope).cutoff)
          .select('event.id')
          .limit(limit)
          .execute()
      ).map((row) => row.id)
      if (ids.length === 0) return 0
      const result = await trx
        .deleteFrom('consent_events')
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', ids)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
