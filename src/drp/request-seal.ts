import type { JsonValue, KeyAccess, Keyring } from '../crypto/index.js'

/**
 * What an agent may have tied to the person, sealed under the DRP request's own key
 * (like the rights request's envelope): the agent's request id, where it wants status
 * callbacks, and the link to the export once there is one.
 */
export interface SealedRequest {
  agentRequestId: string | null
  statusCallback: string | null
  results: { url: string; expiresAt: string } | null
}

const cellOf = (workspaceId: string, id: string) =>
  ({ workspaceId, subjectId: id, table: 'drp_requests', column: 'sealed', rowId: id }) as const

export async function sealRequest(
  keyring: Keyring,
  workspaceId: string,
  id: string,
  value: SealedRequest,
  access?: KeyAccess,
): Promise<Buffer> {
  return keyring.sealJson(cellOf(workspaceId, id), value as unknown as JsonValue, access)
}

export async function openRequest(
  keyring: Keyring,
  workspaceId: string,
  id: string,
  sealed: Uint8Array,
  access?: KeyAccess,
): Promise<SealedRequest> {
  return (await keyring.openJson(
    cellOf(workspaceId, id),
    sealed,
    access,
  )) as unknown as SealedRequest
}
