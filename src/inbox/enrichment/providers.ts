import type { Config } from '../../config.js'
import { createDirectoryProvider } from './directory-provider.js'
import { createHttpProvider, refuseEveryTransfer } from './http-provider.js'
import type { EnrichmentProvider } from './provider.js'

/**
 * The instance's enrichment providers, by name, from its configuration: the directory
 * file (`directory`) and the HTTP service (`http:<host>`), the latter behind the
 * transfer guard's seam, which refuses every recipient until governance provides it.
 */
export function inboxEnrichmentProviders(
  config: Pick<Config, 'enrichmentDirectory' | 'enrichmentUrl'>,
): ReadonlyMap<string, EnrichmentProvider> {
  const providers: EnrichmentProvider[] = []
  if (config.enrichmentDirectory !== undefined) {
    providers.push(createDirectoryProvider(config.enrichmentDirectory))
  }
  if (config.enrichmentUrl !== undefined) {
    providers.push(createHttpProvider({ url: config.enrichmentUrl, guard: refuseEveryTransfer }))
  }
  return new Map(providers.map((provider) => [provider.name, provider]))
}
