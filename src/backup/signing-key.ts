import * as openpgp from 'openpgp'
import { platformWorkspaceId } from '../audit/index.js'
import type { CellRef } from '../crypto/index.js'
import { newId } from '../ids.js'
import type { BackupDeps } from './backup.deps.js'
import { insertSigningKeyUnlessActive, selectSigningKeys } from './backup.repository.js'
import type { BackupSigningKeysTable } from './backup.table.js'

type SigningKeyDeps = Pick<BackupDeps, 'db' | 'keyring' | 'clock' | 'audit'>

function cellOf(id: string): CellRef {
  // Sealed under a key whose holder is the signing key itself, in the platform's key
  // space: the snapshots hold it sealed, the key that opens it lives in the key vault.
  return {
    workspaceId: platformWorkspaceId,
    subjectId: id,
    table: 'backup_signing_keys',
    column: 'private_key',
    rowId: id,
  }
}

/** The instance's backup signing key, opened; made on first use. */
export async function activeSigningKey(deps: SigningKeyDeps): Promise<openpgp.PrivateKey> {
  let row = (await selectSigningKeys(deps.db)).find((key) => key.status === 'active')
  if (row === undefined) {
    const made = await newSigningKeyRow(deps)
    await insertSigningKeyUnlessActive(deps.db, made)
    row = (await selectSigningKeys(deps.db)).find((key) => key.status === 'active')
    if (row === undefined) throw new Error('The backup signing key just made is not there')
    if (row.id === made.id) {
      await deps.audit.record({
        workspaceId: null,
        actor: { actorType: 'system', actorId: null },
        action: 'backup.signing_key_created',
        outcome: 'succeeded',
        resource: { type: 'backup_signing_key', id: row.fingerprint },
      })
    }
  }
  const armored = await deps.keyring.openText(cellOf(row.id), row.private_key)
  return openpgp.readPrivateKey({ armoredKey: armored })
}

/** Every signing key the instance has had: a backup signed by any of them verifies. */
export async function signingPublicKeys(
  deps: Pick<BackupDeps, 'db'>,
): Promise<{ keys: openpgp.Key[]; armored: string[] }> {
  const rows = await selectSigningKeys(deps.db)
  const armored = rows.map((row) => row.public_key)
  const keys: openpgp.Key[] = []
  for (const text of armored) keys.push(await openpgp.readKey({ armoredKey: text }))
  return { keys, armored }
}

async function newSigningKeyRow(deps: SigningKeyDeps): Promise<BackupSigningKeysTable> {
  const now = deps.clock.now()
  const id = newId(now)
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Custodian backup signing key' }],
    format: 'armored',
  })
  const parsed = await openpgp.readKey({ armoredKey: publicKey })
  return {
    id,
    fingerprint: parsed.getFingerprint(),
    public_key: publicKey,
    private_key: await deps.keyring.seal(cellOf(id), privateKey),
    status: 'active',
    created_at: now.toISOString(),
  }
}
