import type {
  BlindIdentifier,
  PersonalDataSource,
  PersonalTable,
  ResolvedSubject,
} from '../personal-data/index.js'
import type { IdentityDeps } from './identity.deps.js'
import {
  countOperatorRows,
  deleteOperators,
  selectOperatorsOfPerson,
} from './operators.repository.js'
import { openOperator } from './operators.service.js'
import { identityRetention } from './retention.js'

const throttleRetention = 'expires by itself 15 minutes after the last attempt'

/**
 * The identity module's personal data: a workspace's staff are data subjects too. An
 * operator is the key holder of their own account, found by the email's blind index.
 */
export const identityTables: readonly PersonalTable[] = [
  {
    name: 'operators',
    categories: ['operator-account', 'authentication'],
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'id',
      columns: ['email', 'first_name', 'last_name', 'picture_url', 'totp_secret'],
    },
    otherBinary: {
      email_index: "a keyed blind index (HMAC) of the email, under the workspace's index key",
      email_lookup: "a keyed blind index (HMAC) of the email, under the instance's index key",
    },
    retention: 'while the operator works for the workspace; erased with the person',
  },
  {
    name: 'operator_tokens',
    categories: ['authentication'],
    retention: 'a setup link lasts 72 hours; erased with the operator',
  },
  {
    name: 'recovery_codes',
    categories: ['authentication'],
    retention: 'until replaced or the second factor is turned off; erased with the operator',
  },
  {
    name: 'sessions',
    categories: ['authentication'],
    retention: 'ends after 30 idle minutes or 12 hours; erased with the operator',
  },
  { name: 'sign_in_attempts', categories: ['authentication'], retention: throttleRetention },
  { name: 'sign_in_throttles', categories: ['authentication'], retention: throttleRetention },
]

export function identityPersonalData(
  deps: Pick<IdentityDeps, 'db' | 'keyring'>,
): PersonalDataSource {
  const operatorsOf = (subject: ResolvedSubject) =>
    selectOperatorsOfPerson(deps.db, subject.workspaceId, {
      emailIndexes: subject.identifiers
        .filter((identifier) => identifier.kind === 'email')
        .map((identifier) => identifier.blindIndex),
      ids: subject.keyHolders,
    })
  return {
    module: 'identity',
    tables: identityTables,
    async locate(subject) {
      const rows = await operatorsOf(subject)
      const ids = rows.map((row) => row.id)
      return {
        rows: {
          operators: rows.length,
          ...(await countOperatorRows(deps.db, subject.workspaceId, ids)),
        },
        keyHolders: ids,
        identifiers: rows.map((row): BlindIdentifier => ({
          kind: 'email',
          blindIndex: row.email_index,
        })),
      }
    },
    async exportTo(subject, writer) {
      for (const row of await operatorsOf(subject)) {
        await writer.add('identity', 'operator-accounts', { ...(await openOperator(deps, row)) })
      }
    },
    // Sign-in attempts and their locks are keyed by an instance-wide index of the email
    // the walk does not hold; they expire by themselves within 15 minutes.
    async erase(trx, subject) {
      const rows = await deleteOperators(trx, subject.workspaceId, subject.keyHolders)
      return { outcome: 'erased', rows }
    },
    retention: identityRetention(deps.db),
  }
}
