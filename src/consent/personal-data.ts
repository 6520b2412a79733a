import type {
  ExportWriter,
  Located,
  PersonalDataSource,
  PersonalTable,
  ResolvedSubject,
} from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { linkedSubjectIds, subjectIdsNamed, survivingSubjectIds } from '../subjects/index.js'
import type { ConsentDeps } from './consent.deps.js'
import { consentProofRetention } from './retention.js'
import {
  countSubjectRows,
  deleteSubjects,
  selectEvents,
  selectStates,
  selectSubject,
} from './consent.repository.js'
import { withProof } from './read-consents.js'

/** The consent module's personal data: a person's standing, identifiers, choices and ledger. */
export const consentTables: readonly PersonalTable[] = [
  {
    name: 'consent_subjects',
    categories: ['consent-proof'],
    retention: 'as long as the person has choices on record; erased with the person',
  },
  {
    name: 'consent_states',
    categories: ['consent-proof'],
    retention: 'the latest choice per purpose, as long as the subject',
  },
  {
    name: 'consent_events',
    categories: ['consent-proof', 'ip-address', 'device'],
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'subject_id',
      columns: ['ip', 'user_agent', 'evidence'],
    },
    // Art. 7(1): the controller must be able to show consent was given, for as long as
    // it relies on it.
    retention: 'the ledger is kept while any choice in it is relied on; erased with the person',
  },
]

/** Every ledger row is read for an export: a person's history is short. */
const exportHistoryLimit = 1_000_000

export function consentPersonalData(deps: Pick<ConsentDeps, 'db' | 'keyring'>): PersonalDataSource {
  return {
    module: 'consent',
    tables: consentTables,
    locate: (subject) => locateConsent(deps.db, subject),
    exportTo: (subject, writer) => exportConsent(deps, subject, writer),
    async erase(trx: Database, subject: ResolvedSubject) {
      const rows = await deleteSubjects(trx, subject.workspaceId, subject.keyHolders)
      return { outcome: 'erased', rows }
    },
    retention: [consentProofRetention(deps.db)],
  }
}

/**
 * The person's subjects, as the subjects module links them: those their identifiers
 * name and those among their key holders, with every subject merged into the same one.
 */
async function subjectIdsOf(db: Database, subject: ResolvedSubject): Promise<string[]> {
  const { workspaceId } = subject
  const named = await subjectIdsNamed(
    db,
    workspaceId,
    subject.identifiers.map((identifier) => identifier.blindIndex),
  )
  return linkedSubjectIds(db, workspaceId, [...new Set([...named.values(), ...subject.keyHolders])])
}

async function locateConsent(db: Database, subject: ResolvedSubject): Promise<Located> {
  const subjectIds = await subjectIdsOf(db, subject)
  const rows = await countSubjectRows(db, subject.workspaceId, subjectIds)
  const holds = Object.values(rows).some((count) => count > 0)
  return {
    rows,
    // The person's subjects seal their ledger: key holders while it holds anything.
    keyHolders: holds ? subjectIds : [],
    // The identifiers are the subjects module's to report.
    identifiers: [],
  }
}

async function exportConsent(
  deps: Pick<ConsentDeps, 'db' | 'keyring'>,
  subject: ResolvedSubject,
  writer: ExportWriter,
): Promise<void> {
  const { workspaceId } = subject
  const subjectIds = await subjectIdsOf(deps.db, subject)
  const surviving = await survivingSubjectIds(deps.db, workspaceId, subjectIds)
  for (const id of subjectIds) {
    const row = await selectSubject(deps.db, workspaceId, id)
    if (row === undefined) continue
    const survivor = surviving.get(id) ?? id
    await writer.add('consent', 'standing', {
      subjectId: row.id,
      linkedInto: survivor === id ? null : survivor,
      restrictedAt: row.restricted_at,
      automatedDecisionOptOutAt: row.automated_opt_out_at,
      globalPrivacyControlAt: row.gpc_at,
      declaredAge: row.declared_age,
      ageDeclaredAt: row.age_declared_at,
      parentalConsentAt: row.parental_consent_at,
      createdAt: row.created_at,
    })
    for (const state of await selectStates(deps.db, workspaceId, id)) {
      await writer.add('consent', 'choices', {
        purpose: state.purpose,
        granted: state.granted === null ? null : state.granted === 1,
        decidedAt: state.decided_at,
        policyVersion: state.policy_version,
        objectedAt: state.objected_at,
      })
    }
  }
  const events = await selectEvents(deps.db, workspaceId, subjectIds, exportHistoryLimit)
  for (const item of await withProof(deps, workspaceId, events)) {
    await writer.add('consent', 'ledger', { ...item })
  }
}
