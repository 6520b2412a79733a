import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import { AppError } from '../errors.js'
import { buildApiKey, insertApiKeys, recordApiKeyCreated } from '../identity/index.js'
import type { AuditSink, RequestContext } from '../identity/index.js'
import type { Actor } from '../identity/index.js'
import { newId } from '../ids.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import type { ComposedSettings } from './compose-settings.js'
import { type Controller, readController, sealController } from './controller.js'
import { type SettingsDocument, settingsDocumentFrom } from './settings-fragment.js'
import {
  findWorkspace,
  insertWorkspace,
  listWorkspaces,
  updateWorkspace,
} from './workspaces.repository.js'
import type { Insertable, Selectable } from 'kysely'
import type { WorkspacesTable } from './workspaces.table.js'

export interface WorkspaceDeps {
  db: Database
  audit: AuditSink
  clock: Clock
  /** Seals the controller record, which names people (the DPO, a representative). */
  keyring: Keyring
  /** The region this instance promises to keep data in. */
  instanceRegion: string
  /** The settings every module declared, composed at the root (settings-fragments.ts). */
  settings: ComposedSettings
}

export interface Workspace {
  id: string
  name: string
  region: string
  /**
   * As stored. A module reads its own part with its fragment, which fills in the
   * defaults of fields added since the row was written: `consentSettings.read(settings)`.
   */
  settings: SettingsDocument
  createdAt: string
  updatedAt: string
}

/** The workspace as `GET /v1/workspace` shows it: settings with defaults, and the controller. */
export interface WorkspaceView extends Workspace {
  /** Null until the workspace records who it is as a controller. */
  controller: Controller | null
}

export interface CreatedWorkspace extends Workspace {
  /** For the browser SDK: events and consents only. */
  publicKey: string
  /** For servers: the whole workspace API. Shown once. */
  secretKey: string
}

/**
 * Creates a tenant with its first pair of API keys. A workspace lives in the instance's
 * region: an instance that promises to keep data in the EU cannot hold a workspace
 * whose data was promised elsewhere.
 */
export async function createWorkspace(
  deps: Omit<WorkspaceDeps, 'keyring'>,
  input: { name: string; region?: string; actor: Actor },
  context: RequestContext = {},
): Promise<CreatedWorkspace> {
  const region = input.region ?? deps.instanceRegion
  if (region !== deps.instanceRegion) {
    throw new AppError(
      'invalid_request',
      `This instance keeps data in region ${deps.instanceRegion}; it cannot hold a workspace for region ${region}`,
    )
  }
  const name = input.name.trim()
  if (name.length === 0 || name.length > 200) {
    throw new AppError('invalid_request', 'A workspace name has 1 to 200 characters')
  }
  const now = deps.clock.now().toISOString()
  const row: Insertable<WorkspacesTable> & Omit<StoredWorkspace, 'controller'> = {
    id: newId(deps.clock.now()),
    name,
    region,
    settings: JSON.stringify(deps.settings.defaults()),
    created_at: now,
    updated_at: now,
  }
  const publicInput = {
    workspaceId: row.id,
    actor: input.actor,
    kind: 'public',
    label: 'Browser SDK',
  } as const
  const secretInput = {
    workspaceId: row.id,
    actor: input.actor,
    kind: 'secret',
    label: 'Server',
  } as const
  const publicKey = buildApiKey(deps.clock.now(), publicInput)
  const secretKey = buildApiKey(deps.clock.now(), secretInput)
  // The workspace and its keys appear together or not at all.
  await inWriteTransaction(deps.db, async (trx) => {
    await insertWorkspace(trx, row)
    await insertApiKeys(trx, [publicKey.row, secretKey.row])
  })
  // Audited after commit: the audit log writes in its own transactions.
  await deps.audit.record({
    workspaceId: row.id,
    actor: input.actor,
    action: 'workspace.created',
    outcome: 'succeeded',
    resource: { type: 'workspace', id: row.id },
    ...context,
  })
  await recordApiKeyCreated(deps.audit, publicKey.created, publicInput, context)
  await recordApiKeyCreated(deps.audit, secretKey.created, secretInput, context)
  return { ...toWorkspace(row), publicKey: publicKey.created.key, secretKey: secretKey.created.key }
}

export async function getWorkspace(db: Database, workspaceId: string): Promise<Workspace> {
  const row = await findWorkspace(db, workspaceId)
  if (row === undefined) throw new AppError('not_found', 'No such workspace')
  return toWorkspace(row)
}

/** The workspace with every module's settings, defaults filled in: what the API shows. */
export async function describeWorkspace(
  deps: WorkspaceDeps,
  workspaceId: string,
): Promise<WorkspaceView> {
  const workspace = await getWorkspace(deps.db, workspaceId)
  return {
    ...workspace,
    settings: deps.settings.read(workspace.settings),
    controller: await readController(deps, workspaceId),
  }
}

/** Workspaces by id and name only: what identity is given to know of them. */
export function workspaceDirectory(db: Database): {
  find(workspaceId: string): Promise<{ id: string; name: string } | undefined>
} {
  return {
    async find(workspaceId) {
      const row = await findWorkspace(db, workspaceId)
      return row === undefined ? undefined : { id: row.id, name: row.name }
    },
  }
}

export async function changeWorkspace(
  deps: WorkspaceDeps,
  input: {
    workspaceId: string
    name?: string
    settings?: SettingsDocument
    /** The whole controller record, replacing the stored one. */
    controller?: Controller
    actor: Actor
  },
  context: RequestContext = {},
): Promise<WorkspaceView> {
  const current = await getWorkspace(deps.db, input.workspaceId)
  const settings = input.settings
    ? deps.settings.applyPatch(current.settings, input.settings)
    : deps.settings.read(current.settings)
  const name = input.name?.trim() ?? current.name
  if (name.length === 0 || name.length > 200) {
    throw new AppError('invalid_request', 'A workspace name has 1 to 200 characters')
  }
  const updatedAt = deps.clock.now().toISOString()
  const controller =
    input.controller === undefined
      ? undefined
      : await sealController(deps.keyring, input.workspaceId, input.controller)
  await updateWorkspace(deps.db, input.workspaceId, {
    name,
    settings: JSON.stringify(settings),
    updated_at: updatedAt,
    ...(controller === undefined ? {} : { controller }),
  })
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'workspace.settings_changed',
    outcome: 'succeeded',
    resource: { type: 'workspace', id: input.workspaceId },
    details: {
      fields: Object.keys(input.settings ?? {})
        .concat(input.name ? ['name'] : [])
        .concat(input.controller ? ['controller'] : [])
        .join(','),
    },
    ...context,
  })
  return {
    ...current,
    name,
    settings,
    updatedAt,
    controller: input.controller ?? (await readController(deps, input.workspaceId)),
  }
}

export async function listAllWorkspaces(db: Database): Promise<Workspace[]> {
  return (await listWorkspaces(db)).map(toWorkspace)
}

type StoredWorkspace = Selectable<WorkspacesTable>

function toWorkspace(row: Omit<StoredWorkspace, 'controller'>): Workspace {
  return {
    id: row.id,
    name: row.name,
    region: row.region,
    settings: settingsDocumentFrom(row.settings),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
