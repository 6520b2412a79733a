import { PassThrough } from 'node:stream'
import type { FastifyReply } from 'fastify'
import { listPurposes } from '../consent/index.js'
import { AppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import { collectingWriter, exportSubject } from '../subjects/index.js'
import { getWorkspace } from '../workspaces/index.js'
import { type ArchiveRecord, writeAccessArchive } from './archive.js'
import { buildAccessManifest } from './manifest.logic.js'
import { openEnvelope, subjectNameOf } from './request-envelope.js'
import type { RequestType } from './request-states.logic.js'
import { deliversExport } from './request-states.logic.js'
import type { RightsDeps } from './rights.deps.js'
import { findByExportToken } from './rights.repository.js'
import { audit, requireRequest, type RightsCaller, type RightsContext } from './rights.service.js'
import type { RightsRequestsTable } from './rights.table.js'
import { tokenHash } from './verification.logic.js'

/**
 * Sources whose records are not "provided by" the person (Art. 20(1)): the controller's
 * own records about them. Access (Art. 15) includes them; portability does not.
 */
const notProvidedByThePerson = new Set(['audit', 'rights', 'drp'])

/**
 * The person's download, from the link in their mail. The archive is built while it
 * streams, from the registry, so no copy of it ever lies on disk; the link expires, and
 * every download is audited.
 */
export async function streamExportByToken(
  deps: RightsDeps,
  token: string,
  reply: FastifyReply,
  context: RightsContext,
): Promise<FastifyReply> {
  const hash = tokenHash(token)
  const row = await findByExportToken(deps.db, hash)
  // Unknown and expired links answer alike: a link says nothing about others.
  if (
    row === undefined ||
    row.export_expires_at === null ||
    row.export_expires_at <= deps.clock.now().toISOString()
  ) {
    throw new AppError('not_found', 'This download link is unknown or has expired')
  }
  const actor: Actor = { actorType: 'end-user', actorId: null }
  return streamArchive(
    deps,
    { workspaceId: row.workspace_id, principal: 'system', actor },
    row,
    reply,
    context,
    // The agent's link is told apart in the log: the person did not download it themself.
    row.agent_export_token_hash === hash ? 'agent-link' : 'link',
  )
}

/** An operator's download of a completed access or portability request. */
export async function streamExport(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  reply: FastifyReply,
  context: RightsContext,
): Promise<FastifyReply> {
  const row = await requireRequest(deps, caller.workspaceId, id)
  if (!deliversExport(row.type as RequestType)) {
    throw new AppError('conflict', 'Only access and portability requests have an export')
  }
  if (row.status !== 'completed') {
    throw new AppError('conflict', 'The export exists once the request is fulfilled')
  }
  return streamArchive(deps, caller, row, reply, context, 'operator')
}

async function streamArchive(
  deps: RightsDeps,
  caller: RightsCaller,
  row: RightsRequestsTable,
  reply: FastifyReply,
  context: RightsContext,
  via: 'link' | 'agent-link' | 'operator',
): Promise<FastifyReply> {
  const kind = row.type === 'portability' ? 'portability' : 'access'
  const envelope = await openEnvelope(deps.keyring, row.workspace_id, row.id, row.sealed)
  const writer = collectingWriter()
  const report = await exportSubject(
    deps.subjects,
    {
      workspaceId: row.workspace_id,
      names: [subjectNameOf(envelope.subject)],
      actor: caller.actor,
      ...(context.requestId ? { requestId: context.requestId } : {}),
    },
    writer,
  )
  const records: ArchiveRecord[] = []
  const perSource: Record<string, number> = {}
  for (const [source, collections] of Object.entries(writer.collected)) {
    if (kind === 'portability' && notProvidedByThePerson.has(source)) continue
    for (const [collection, items] of Object.entries(collections)) {
      for (const record of items) records.push({ source, collection, record })
      perSource[source] = (perSource[source] ?? 0) + items.length
    }
  }
  const workspace = await getWorkspace(deps.db, row.workspace_id)
  const manifest = buildAccessManifest({
    workspaceName: workspace.name,
    request: { id: row.id, type: kind, receivedAt: row.received_at },
    generatedAt: deps.clock.now(),
    sources: deps.registry.sources.filter(
      (source) => kind === 'access' || !notProvidedByThePerson.has(source.module),
    ),
    purposes: await listPurposes(deps.db, row.workspace_id),
    recordsPerSource: perSource,
  })
  await audit(deps, caller, context, 'rights.export_downloaded', row, {
    via,
    records: Object.values(report.records).reduce((sum, count) => sum + count, 0),
  })
  const body = new PassThrough()
  writeAccessArchive(body, { manifest, records }, { kind }).catch((error: unknown) => {
    // The stream is already destroyed with the error; the client sees a cut download.
    deps.logger.error({ err: error, requestId: row.id }, 'export archive failed')
  })
  return reply
    .header('content-type', 'application/zip')
    .header('content-disposition', `attachment; filename="custodian-${kind}-${row.id}.zip"`)
    .header('cache-control', 'no-store')
    .send(body)
}
