/**
 * Enrichment providers: where a person's public profile (name, avatar, company) is
 * looked up from their email address. A provider that reads a local file runs offline;
 * one that asks a service over HTTP sends the address out of the instance, which only
 * the transfer guard may allow (Chapter V; see http-provider.ts).
 */
export const enrichedFields = ['name', 'avatarUrl', 'company'] as const
export type EnrichedField = (typeof enrichedFields)[number]

export type EnrichedProfile = Partial<Record<EnrichedField, string>>

export interface EnrichmentQuery {
  readonly workspaceId: string
  /** The person's email address, the one thing sent to the provider. */
  readonly email: string
}

export interface EnrichmentProvider {
  /** Recorded as every field's source, e.g. `directory`. */
  readonly name: string
  /** Where the query goes: a host name, or null when it never leaves this machine. */
  readonly recipient: string | null
  /** The profile found, or undefined when the provider knows nobody by that address. */
  resolve(query: EnrichmentQuery): Promise<EnrichedProfile | undefined>
}
