import type {
  BlindIdentifier,
  PersonalDataSource,
  PersonalTable,
  ResolvedSubject,
} from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { openEnvelope } from './request-envelope.js'
import { verificationCodesRetention } from './retention.js'
import type { RightsDeps } from './rights.deps.js'

/**
 * Requests and legal holds: kept when their person is erased, as the controller's proof
 * of how it answered (Art. 5(2), 12(3)–(4)) and of why it kept data (Art. 17(3)). Each is
 * sealed under its own key, not the person's, so that proof survives the shredding.
 */
export const rightsTables: readonly PersonalTable[] = [
  {
    name: 'rights_requests',
    categories: ['identifiers', 'contact-profile'],
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'id',
      columns: ['sealed'],
    },
    otherBinary: {
      subject_index: 'a keyed blind index (HMAC) of the identifier that named the person',
      filed_from_index: 'a keyed blind index (HMAC) of the address a portal filing came from',
    },
    retention:
      'three years after the request closes (the limitation period for claims about the answer), then deleted',
  },
  {
    name: 'rights_legal_holds',
    categories: ['identifiers'],
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'id',
      columns: ['sealed'],
    },
    otherBinary: {
      subject_index: 'a keyed blind index (HMAC) of the identifier the hold names',
    },
    retention: 'while the hold stands, then three years after it is lifted',
  },
]

const retainedWhy =
  'requests and legal holds are kept as proof of how the person was answered and why data was kept'

export function rightsPersonalData(deps: Pick<RightsDeps, 'db' | 'keyring'>): PersonalDataSource {
  const requestsOf = (db: Database, subject: ResolvedSubject) => {
    const indexes = indexesOf(subject)
    if (indexes.length === 0) return Promise.resolve([])
    return db
      .selectFrom('rights_requests')
      .selectAll()
      .where('workspace_id', '=', subject.workspaceId)
      .where('subject_index', 'in', indexes)
      .orderBy('id')
      .execute()
  }
  const holdsOf = (db: Database, subject: ResolvedSubject) => {
    const indexes = indexesOf(subject)
    if (indexes.length === 0) return Promise.resolve([])
    return db
      .selectFrom('rights_legal_holds')
      .select(['id', 'basis', 'created_at', 'lifted_at'])
      .where('workspace_id', '=', subject.workspaceId)
      .where('subject_index', 'in', indexes)
      .execute()
  }
  const rowsOf = async (db: Database, subject: ResolvedSubject) => ({
    rights_requests: (await requestsOf(db, subject)).length,
    rights_legal_holds: (await holdsOf(db, subject)).length,
  })
  return {
    module: 'rights',
    tables: rightsTables,
    async locate(subject) {
      // No key holders: the requests' own keys are not the person's to destroy.
      return { rows: await rowsOf(deps.db, subject), keyHolders: [], identifiers: [] }
    },
    async exportTo(subject, writer) {
      for (const row of await requestsOf(deps.db, subject)) {
        const envelope = await openEnvelope(deps.keyring, row.workspace_id, row.id, row.sealed)
        await writer.add('rights', 'requests', {
          id: row.id,
          type: row.type,
          status: row.status,
          channel: row.channel,
          receivedAt: row.received_at,
          dueAt: row.due_at,
          legalDueDate: row.legal_due_date,
          completedAt: row.completed_at,
          rejectionArticle: row.rejection_article,
          details: envelope.details,
        })
      }
    },
    async erase(trx, subject) {
      return {
        outcome: 'retained',
        bases: ['art-17-3-b', 'art-17-3-e'],
        why: retainedWhy,
        rows: await rowsOf(trx, subject),
      }
    },
    retention: [verificationCodesRetention(deps.db)],
  }
}

function indexesOf(subject: ResolvedSubject): Buffer[] {
  return subject.identifiers
    .filter((identifier: BlindIdentifier) => identifier.kind !== 'anonymous_id')
    .map((identifier) => identifier.blindIndex)
}
