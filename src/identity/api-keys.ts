import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import type { Database } from '../storage/index.js'
import type { AuditSink, RequestContext } from './identity.deps.js'
import type { ApiKeyKind, ApiKeysTable } from './identity.table.js'
import type { Actor, Principal } from './principal.js'
import { hashSecret, randomToken } from './secrets.js'

/**
 * Workspace API keys. A public key (`cus_pk_…`) sits in web pages for the browser SDK
 * and may only send events and consents; a secret key (`cus_sk_…`) is for servers and
 * opens the whole workspace API. Both are shown once and stored as SHA-256 only.
 */
const prefixes: Record<ApiKeyKind, string> = { public: 'cus_pk_', secret: 'cus_sk_' }

export interface ApiKeyView {
  id: string
  kind: ApiKeyKind
  label: string
  prefix: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

export interface CreatedApiKey extends ApiKeyView {
  /** The key itself: shown this once, never stored. */
  key: string
}

interface KeyDeps {
  db: Database
  audit: AuditSink
  clock: { now(): Date }
}

interface NewApiKey {
  workspaceId: string
  kind: ApiKeyKind
  label: string
  actor: Actor
}

/** Makes a key and its row; nothing is written. The key is in the result only. */
export function buildApiKey(
  now: Date,
  input: NewApiKey,
): { row: ApiKeysTable; created: CreatedApiKey } {
  const key = `${prefixes[input.kind]}${randomToken(30)}`
  const row: ApiKeysTable = {
    id: newId(now),
    workspace_id: input.workspaceId,
    kind: input.kind,
    label: input.label,
    prefix: key.slice(0, 12),
    secret_hash: hashSecret(key),
    created_at: now.toISOString(),
    created_by: input.actor.actorId,
    last_used_at: null,
    revoked_at: null,
  }
  return { row, created: { ...toView(row), key } }
}

export async function insertApiKeys(db: Database, rows: ApiKeysTable[]): Promise<void> {
  await db.insertInto('api_keys').values(rows).execute()
}

export async function recordApiKeyCreated(
  audit: AuditSink,
  created: ApiKeyView,
  input: NewApiKey,
  context: RequestContext,
): Promise<void> {
  await audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'api_key.created',
    outcome: 'succeeded',
    resource: { type: 'api_key', id: created.id },
    details: { kind: input.kind },
    ...context,
  })
}

export async function createApiKey(
  deps: KeyDeps,
  input: NewApiKey,
  context: RequestContext = {},
): Promise<CreatedApiKey> {
  const { row, created } = buildApiKey(deps.clock.now(), input)
  await insertApiKeys(deps.db, [row])
  await recordApiKeyCreated(deps.audit, created, input, context)
  return created
}

export async function listApiKeys(db: Database, workspaceId: string): Promise<ApiKeyView[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute()
  return rows.map(toView)
}

export async function revokeApiKey(
  deps: KeyDeps,
  input: { workspaceId: string; apiKeyId: string; actor: Actor },
  context: RequestContext = {},
): Promise<ApiKeyView> {
  const now = deps.clock.now().toISOString()
  const result = await deps.db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('workspace_id', '=', input.workspaceId)
    .where('id', '=', input.apiKeyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  const row = await deps.db
    .selectFrom('api_keys')
    .selectAll()
    .where('workspace_id', '=', input.workspaceId)
    .where('id', '=', input.apiKeyId)
    .executeTakeFirst()
  if (row === undefined) throw new AppError('not_found', 'No such API key')
  if (result.numUpdatedRows > 0n) {
    await deps.audit.record({
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: 'api_key.revoked',
      outcome: 'succeeded',
      resource: { type: 'api_key', id: row.id },
      ...context,
    })
  }
  return toView(row)
}

// Writing last_used_at on every request would turn each read into a write; once a
// minute per key is precise enough to spot an unused key.
const lastUsedWriteIntervalMs = 60_000

/** The principal a Bearer API key stands for, or undefined if it is unknown or revoked. */
export async function authenticateApiKey(
  deps: Pick<KeyDeps, 'db' | 'clock'>,
  key: string,
): Promise<Principal | undefined> {
  const kind: ApiKeyKind | undefined = key.startsWith(prefixes.secret)
    ? 'secret'
    : key.startsWith(prefixes.public)
      ? 'public'
      : undefined
  if (kind === undefined || key.length > 200) return undefined
  const row = await deps.db
    .selectFrom('api_keys')
    .select(['id', 'workspace_id', 'kind', 'last_used_at', 'revoked_at'])
    .where('secret_hash', '=', hashSecret(key))
    .executeTakeFirst()
  if (row === undefined || row.revoked_at !== null || row.kind !== kind) return undefined
  const now = deps.clock.now()
  if (
    row.last_used_at === null ||
    now.getTime() - Date.parse(row.last_used_at) > lastUsedWriteIntervalMs
  ) {
    await deps.db
      .updateTable('api_keys')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute()
  }
  return kind === 'secret'
    ? { kind: 'secret-key', workspaceId: row.workspace_id, apiKeyId: row.id }
    : { kind: 'public-key', workspaceId: row.workspace_id, apiKeyId: row.id }
}

/**
 * Why a Bearer key that did not authenticate was refused, for the audit log the breach
 * rules read: a revoked key (named, in its workspace) still in use may have leaked.
 */
export async function refusedKeyOf(
  deps: Pick<KeyDeps, 'db'>,
  key: string,
): Promise<{ reason: 'revoked'; workspaceId: string; apiKeyId: string } | { reason: 'unknown' }> {
  if (key.length > 200) return { reason: 'unknown' }
  const row = await deps.db
    .selectFrom('api_keys')
    .select(['id', 'workspace_id', 'revoked_at'])
    .where('secret_hash', '=', hashSecret(key))
    .executeTakeFirst()
  return row !== undefined && row.revoked_at !== null
    ? { reason: 'revoked', workspaceId: row.workspace_id, apiKeyId: row.id }
    : { reason: 'unknown' }
}

function toView(row: ApiKeysTable): ApiKeyView {
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }
}
