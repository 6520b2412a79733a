import type { PersonalDataSource, PersonalTable, ResolvedSubject } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import type { DrpDeps } from './drp.deps.js'
import { openRequest } from './request-seal.js'

/**
 * The agent's side of the requests an authorised agent filed for the person: kept, like
 * the rights requests they became, as proof of how the agent was answered (Art. 5(2),
 * 12); what the agent tied to the person is sealed under each row's own key, so that
 * proof survives the person's erasure.
 */
export const drpTables: readonly PersonalTable[] = [
  {
    name: 'drp_requests',
    categories: ['identifiers'],
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'id',
      columns: ['sealed'],
    },
    otherBinary: {
      subject_index: 'a keyed blind index (HMAC) of the email that named the person',
    },
    retention: 'as long as the rights request it became (three years after it closes)',
  },
]

export function drpPersonalData(deps: Pick<DrpDeps, 'db' | 'keyring'>): PersonalDataSource {
  const requestsOf = (db: Database, subject: ResolvedSubject) => {
    const indexes = subject.identifiers
      .filter((identifier) => identifier.kind === 'email')
      .map((identifier) => identifier.blindIndex)
    if (indexes.length === 0) return Promise.resolve([])
    return db
      .selectFrom('drp_requests')
      .selectAll()
      .where('workspace_id', '=', subject.workspaceId)
      .where('subject_index', 'in', indexes)
      .orderBy('id')
      .execute()
  }
  return {
    module: 'drp',
    tables: drpTables,
    async locate(subject) {
      // No key holders: the rows' own keys are not the person's to destroy.
      const rows = await requestsOf(deps.db, subject)
      return { rows: { drp_requests: rows.length }, keyHolders: [], identifiers: [] }
    },
    async exportTo(subject, writer) {
      for (const row of await requestsOf(deps.db, subject)) {
        const sealed = await openRequest(deps.keyring, row.workspace_id, row.id, row.sealed)
        await writer.add('drp', 'requests', {
          requestId: row.id,
          rightsRequestId: row.rights_request_id,
          agentId: row.agent_id,
          agentRequestId: sealed.agentRequestId,
          exercise: row.exercise,
          regime: row.regime,
          status: row.status,
          reason: row.reason,
          filedAt: row.created_at,
        })
      }
    },
    async erase(trx, subject) {
      return {
        outcome: 'retained',
        bases: ['art-17-3-b', 'art-17-3-e'],
        why: "an agent's requests are kept as proof of how the agent was answered, like the requests themselves",
        rows: { drp_requests: (await requestsOf(trx, subject)).length },
      }
    },
  }
}
