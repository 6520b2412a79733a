import { AppError } from '../errors.js'
import { countriesOfRegion, guardTransfer } from '../transfers/index.js'
import type { BackupDeps } from './backup.deps.js'

/**
 * DESIGN principle 6 ("stored and backed up within the EU"): a backup destination is
 * declared with where its storage lies (CUSTODIAN_BACKUP_REGION, a region such as `eu`
 * or a country code such as `de`), and with the host it is mounted from when that is
 * not this machine (CUSTODIAN_BACKUP_HOST). A remote host must pass the transfer guard
 * (registered, with a DPA, inside the instance region); a declared region outside the
 * instance's is refused here, audited, before anything is written.
 */
export async function checkDestination(
  deps: Pick<BackupDeps, 'transfers' | 'audit' | 'settings'>,
  region: string,
): Promise<void> {
  const host = deps.settings.host
  if (host !== undefined) {
    await guardTransfer(deps.transfers, {
      workspaceId: null,
      kind: 'backup',
      recipient: { host },
      categories: ['identifiers', 'contact-profile', 'browsing', 'consent-proof'],
    })
  }
  const allowed = countriesOfRegion(deps.transfers.instanceRegion)
  const declared = countriesOfRegion(region)
  const inside =
    region === deps.transfers.instanceRegion ||
    (declared.size > 0
      ? [...declared].every((country) => allowed.has(country))
      : allowed.has(region.toUpperCase()))
  if (inside) return
  await deps.audit.record({
    workspaceId: null,
    actor: { actorType: 'system', actorId: null },
    action: 'backup.refused',
    outcome: 'denied',
    details: { reason: 'outside_region', region, instanceRegion: deps.transfers.instanceRegion },
  })
  throw new AppError(
    'transfer_refused',
    `The backup destination lies in ${region}, outside the instance region ${deps.transfers.instanceRegion}: backups are stored within the instance region (DESIGN principle 6)`,
  )
}
