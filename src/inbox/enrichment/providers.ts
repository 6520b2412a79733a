import type { Config } from '../../config.js'
import { createDirectoryProvider } from './directory-provider.js'
import { createHttpProvider, refuseEveryTransfer, type TransferGuard } from './http-provider.js'
import type { EnrichmentProvider } from './provider.js'

/**
 * The instance's enrichment providers, by name, from its configuration: the directory
 * file (`directory`) and the HTTP service (`http:<host>`), the latter behind the
 * transfer guard the composition root hands in (refusing every recipient when none is).
 */
export function inboxEnrichmentProviders(
  config: Pick<Config, 'enrichmentDirectory' | 'enrichmentUrl'>,
  guard: TransferGuard = refuseEveryTransfer,
): ReadonlyMap<string, EnrichmentProvider> {
  const providers: EnrichmentProvider[] = []
  if (config.enrichmentDirectory !== undefined) {
    providers.push(createDirectoryProvider(config.enrichmentDirectory))
  }
  if (config.enrichmentUrl !== undefined) {
    providers.push(createHttpProvider({ url: config.enrichmentUrl, guard }))
  }
  return new Map(providers.map((provider) => [provider.name, provider]))
}
