import type { AuditLog } from '../../audit/index.js'
import type { Clock } from '../../clock.js'
import type { Keyring } from '../../crypto/index.js'
import { composeWorkspaceSettings } from '../../settings-fragments.js'
import type { Database } from '../../storage/index.js'
import type { Controller } from '../controller.js'
import { changeWorkspace } from '../workspaces.service.js'

/** A complete controller record, as a workspace records it with `PATCH /v1/workspace`. */
export function sampleController(overrides: Partial<Controller> = {}): Controller {
  return {
    legalName: 'Smart Trial ApS',
    address: {
      streetAddress: 'K. Christensens Vej 2 L',
      locality: 'Aalborg',
      postalCode: '9200',
      country: 'DK',
    },
    email: 'privacy@smart-trial.example',
    phone: '+45 70 20 30 40',
    dpo: { name: 'Dana Protection', email: 'dpo@smart-trial.example' },
    supervisoryAuthority: {
      name: 'Datatilsynet',
      country: 'DK',
      url: 'https://www.datatilsynet.dk',
    },
    ...overrides,
  }
}

/** Records a controller for the workspace through the workspaces service, as the API does. */
export async function recordController(
  deps: { db: Database; keyring: Keyring; audit: Pick<AuditLog, 'record'>; clock: Clock },
  workspaceId: string,
  controller: Controller = sampleController(),
): Promise<Controller> {
  await changeWorkspace(
    { ...deps, instanceRegion: 'eu', settings: composeWorkspaceSettings() },
    { workspaceId, controller, actor: { actorType: 'system', actorId: null } },
  )
  return controller
}
