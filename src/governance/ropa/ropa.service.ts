import { listPurposes } from '../../consent/index.js'
import type { Actor, RequestContext } from '../../identity/index.js'
import { listSubprocessors } from '../../transfers/index.js'
import {
  getWorkspace,
  listAllWorkspaces,
  privacyNoticePath,
  readController,
} from '../../workspaces/index.js'
import { describeDataMap } from '../data-map/data-map.service.js'
import type { GovernanceDeps } from '../governance.deps.js'
import { assessmentSummaries } from '../dpia/dpia.service.js'
import { buildControllerRecord, buildProcessorRecord } from './ropa.logic.js'
import type { RecordsOfProcessing } from './ropa.schema.js'
import { controllerCsv, type CsvLinks, icoTemplate, processorCsv } from './ico-template.js'
import { recordsHtml } from './ropa.html.js'

export const ropaFormats = ['json', 'csv', 'html'] as const
export type RopaFormat = (typeof ropaFormats)[number]
export type RopaRecord = 'controller' | 'processor'

/**
 * The records of processing of one workspace (Art. 30): its controller record, and the
 * operator's processor record limited to this workspace (another controller's part is
 * not this workspace's to see). `processorControllers` widens that for the platform
 * admin (the CLI), who keeps the processor record for every workspace.
 */
export async function recordsOfProcessing(
  deps: GovernanceDeps,
  workspaceId: string,
  options: { allControllers?: boolean } = {},
): Promise<RecordsOfProcessing> {
  const at = deps.clock.now()
  const workspace = await getWorkspace(deps.db, workspaceId)
  const controller = await readController(deps, workspaceId)
  const dataMap = await describeDataMap(deps, workspaceId)
  const subprocessors = await listSubprocessors(deps.transfers, workspaceId)
  const controllerRecord = buildControllerRecord({
    workspace: { id: workspace.id, name: workspace.name, region: workspace.region },
    controller,
    dataMap,
    purposes: await listPurposes(deps.db, workspaceId),
    subprocessors,
    sources: deps.registry.sources,
    assessments: await assessmentSummaries(deps, workspaceId),
    at,
  })
  const controllers = options.allControllers
    ? await Promise.all(
        (await listAllWorkspaces(deps.db)).map(async (each) => ({
          workspace: each,
          controller: await readController(deps, each.id),
        })),
      )
    : [{ workspace, controller }]
  return {
    recordVersion: 1,
    generatedAt: at.toISOString(),
    dataMapVersion: dataMap.version,
    template: { name: icoTemplate.name, url: icoTemplate.url },
    controllerRecord,
    processorRecord: buildProcessorRecord({
      publicUrl: deps.publicUrl(),
      region: deps.transfers.instanceRegion,
      controllers,
      sources: deps.registry.sources,
      instanceSubprocessors: subprocessors,
      technicalMeasures: dataMap.technicalMeasures,
      at,
    }),
  }
}

/** The records in one format, audited as an export (who took the records, when, which). */
export async function exportRecords(
  deps: GovernanceDeps,
  input: {
    workspaceId: string
    format: RopaFormat
    record: RopaRecord
    actor: Actor
    allControllers?: boolean
  },
  context: RequestContext = {},
): Promise<{ records: RecordsOfProcessing; body: string | RecordsOfProcessing }> {
  const records = await recordsOfProcessing(deps, input.workspaceId, {
    ...(input.allControllers === undefined ? {} : { allControllers: input.allControllers }),
  })
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'ropa.exported',
    outcome: 'succeeded',
    resource: { type: 'ropa', id: null },
    details: { format: input.format, record: input.record },
    ...context,
  })
  const body =
    input.format === 'json'
      ? records
      : input.format === 'html'
        ? recordsHtml(records)
        : input.record === 'processor'
          ? processorCsv(records.processorRecord)
          : controllerCsv(records.controllerRecord, linksOf(deps, input.workspaceId))
  return { records, body }
}

function linksOf(deps: GovernanceDeps, workspaceId: string): CsvLinks {
  const base = deps.publicUrl().replace(/\/+$/, '')
  return {
    noticeUrl: `${base}${privacyNoticePath(workspaceId)}`,
    consentUrl: `${base}/v1/consents (the consent ledger; each choice's receipt at /v1/consents/receipts/{id})`,
    assessmentUrl: (id) => `${base}/v1/dpias/${id}`,
  }
}
