import { AppError } from '../../errors.js'
import { type EnrichedProfile, type EnrichmentProvider, enrichedFields } from './provider.js'

/**
 * The question every transfer of personal data out of the instance must pass (Chapter V,
 * Art. 44–49, and the recipient's place in the record of processing, Art. 30(1)(d)):
 * may this workspace send these categories to this recipient for this purpose? The
 * governance module answers it; it throws `transfer_refused` when not.
 */
export type TransferGuard = (transfer: {
  workspaceId: string
  recipient: string
  purpose: string
  categories: readonly string[]
}) => Promise<void>

/**
 * The seam until the governance module's guard is wired in: it refuses every recipient,
 * so no personal data leaves the instance before something has decided it may.
 */
export const refuseEveryTransfer: TransferGuard = async ({ recipient }) => {
  throw new AppError(
    'transfer_refused',
    `No transfer guard is in place yet, so nothing is sent to ${recipient}`,
  )
}

/**
 * A provider that asks an enrichment service over HTTP: `GET <url>?email=…`, answered
 * with JSON `{name?, company?, avatarUrl?}` (404 when it knows nobody). The email leaves
 * the instance, so the transfer guard is asked first, every time.
 */
export function createHttpProvider(options: {
  url: string
  guard: TransferGuard
  /** Injected for tests of the guard; the global fetch otherwise. */
  fetch?: typeof fetch
  timeoutMs?: number
}): EnrichmentProvider {
  const endpoint = new URL(options.url)
  if (endpoint.protocol !== 'https:')
    throw new Error('An enrichment service must be reached over https')
  const send = options.fetch ?? fetch
  return Object.freeze({
    name: `http:${endpoint.host}`,
    recipient: endpoint.host,
    async resolve({ workspaceId, email }: { workspaceId: string; email: string }) {
      await options.guard({
        workspaceId,
        recipient: endpoint.host,
        purpose: 'enrichment',
        categories: ['identifiers'],
      })
      const url = new URL(endpoint)
      url.searchParams.set('email', email)
      const response = await send(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) })
      if (response.status === 404) return undefined
      if (!response.ok) throw new AppError('unavailable', 'The enrichment service did not answer')
      return profileOf(await response.json())
    },
  })
}

function profileOf(body: unknown): EnrichedProfile {
  const profile: EnrichedProfile = {}
  if (typeof body !== 'object' || body === null) return profile
  for (const field of enrichedFields) {
    const value = (body as Record<string, unknown>)[field]
    if (typeof value === 'string' && value !== '' && value.length <= 500) profile[field] = value
  }
  return profile
}
