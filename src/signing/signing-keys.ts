import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { CellRef, Keyring } from '../crypto/index.js'
import type { Actor } from '../identity/index.js'
import { newId } from '../ids.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import { getWorkspace } from '../workspaces/index.js'
import { type Ed25519PublicJwk, type JwsHeader, jwkThumbprint, signCompact } from './compact-jws.js'
import {
  insertCurrentKeyUnlessPresent,
  retireKey,
  selectAllKeys,
  selectCurrentKey,
} from './signing.repository.js'
import type { WorkspaceSigningKeysTable } from './signing.table.js'

export interface SigningDeps {
  readonly db: Database
  readonly keyring: Keyring
  readonly audit: Pick<AuditLog, 'record'>
  readonly clock: Clock
}

/** A published verification key, as the JWK set lists it. */
export interface PublishedJwk extends Ed25519PublicJwk {
  readonly kid: string
  readonly use: 'sig'
  readonly alg: 'EdDSA'
}

function cellOf(row: Pick<WorkspaceSigningKeysTable, 'id' | 'workspace_id'>): CellRef {
  // Sealed under a key whose holder is the signing key itself: shredding it would end
  // signing with it, and its public half stays published either way.
  return {
    workspaceId: row.workspace_id,
    subjectId: row.id,
    table: 'workspace_signing_keys',
    column: 'private_key',
    rowId: row.id,
  }
}

async function newKeyRow(
  deps: SigningDeps,
  workspaceId: string,
): Promise<WorkspaceSigningKeysTable> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const exported = publicKey.export({ format: 'jwk' })
  if (exported.kty !== 'OKP' || exported.crv !== 'Ed25519' || exported.x === undefined) {
    throw new Error('Ed25519 key export gave an unexpected JWK')
  }
  const jwk: Ed25519PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: exported.x }
  const id = newId(deps.clock.now())
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  return {
    id,
    workspace_id: workspaceId,
    kid: jwkThumbprint(jwk),
    algorithm: 'EdDSA',
    public_jwk: JSON.stringify(jwk),
    private_key: await deps.keyring.seal(cellOf({ id, workspace_id: workspaceId }), der),
    created_at: deps.clock.now().toISOString(),
    retired_at: null,
  }
}

/** The workspace's current signing key, made on first use (by one process, if several race). */
async function currentKey(
  deps: SigningDeps,
  workspaceId: string,
): Promise<WorkspaceSigningKeysTable> {
  const found = await selectCurrentKey(deps.db, workspaceId)
  if (found !== undefined) return found
  const made = await newKeyRow(deps, workspaceId)
  await insertCurrentKeyUnlessPresent(deps.db, made)
  const current = await selectCurrentKey(deps.db, workspaceId)
  if (current === undefined) throw new Error('The signing key just made is not there')
  if (current.id === made.id) {
    await deps.audit.record({
      workspaceId,
      actor: { actorType: 'system', actorId: null },
      action: 'signing_key.created',
      outcome: 'succeeded',
      resource: { type: 'signing_key', id: current.kid },
    })
  }
  return current
}

async function privateKeyOf(deps: SigningDeps, row: WorkspaceSigningKeysTable): Promise<KeyObject> {
  const der = await deps.keyring.open(cellOf(row), row.private_key)
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
}

/**
 * Signs `payload` as a compact JWS under the workspace's current key; its header names
 * the key (`kid`) and where the key set is published (`jku`).
 */
export async function signForWorkspace(
  deps: SigningDeps,
  input: { workspaceId: string; payload: unknown; jwksUrl: string; typ: string },
): Promise<string> {
  const key = await currentKey(deps, input.workspaceId)
  const header: JwsHeader = {
    alg: 'EdDSA',
    kid: key.kid,
    jku: input.jwksUrl,
    typ: input.typ,
    cty: 'json',
  }
  return signCompact(input.payload, header, await privateKeyOf(deps, key))
}

/**
 * Every public key the workspace ever signed with, current and retired: a receipt
 * signed before a rotation verifies with the same set after it.
 */
export async function publishedKeys(
  deps: Pick<SigningDeps, 'db'>,
  workspaceId: string,
): Promise<PublishedJwk[]> {
  return (await selectAllKeys(deps.db, workspaceId)).map((row) => {
    const jwk = JSON.parse(row.public_jwk) as Ed25519PublicJwk
    return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: row.kid, use: 'sig', alg: 'EdDSA' }
  })
}

/**
 * Retires the current key and makes a new one, in one transaction: from now on the new
 * key signs; the old one stays published, so what it signed still verifies.
 */
export async function rotateSigningKey(
  deps: SigningDeps,
  input: { workspaceId: string; actor: Actor },
): Promise<{ retiredKid: string | null; kid: string }> {
  await getWorkspace(deps.db, input.workspaceId)
  const made = await newKeyRow(deps, input.workspaceId)
  const retired = await inWriteTransaction(deps.db, async (trx) => {
    const current = await selectCurrentKey(trx, input.workspaceId)
    if (current !== undefined) await retireKey(trx, current.id, made.created_at)
    await insertCurrentKeyUnlessPresent(trx, made)
    return current?.kid ?? null
  })
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'signing_key.rotated',
    outcome: 'succeeded',
    resource: { type: 'signing_key', id: made.kid },
    details: { retired: retired ?? 'none' },
  })
  return { retiredKid: retired, kid: made.kid }
}
