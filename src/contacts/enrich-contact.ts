import { assertMayProcess } from '../consent/index.js'
import type { ConsentDeps } from '../consent/index.js'
import { AppError } from '../errors.js'
import type { RequestContext } from '../identity/index.js'
import type { Actor } from '../identity/index.js'
import { getWorkspace } from '../workspaces/index.js'
import type { EnrichedValue, Profile } from './contacts.logic.js'
import { findContact, updateContactRow } from './contacts.repository.js'
import { inWriteTransaction } from '../storage/index.js'
import { profileFrom } from './contacts.schemas.js'
import type { ContactView } from './contacts.service.js'

export const enrichableFields = [
  'firstName',
  'lastName',
  'avatarUrl',
  'company',
  'jobTitle',
  'location',
] as const
export type EnrichableField = (typeof enrichableFields)[number]

export interface EnrichmentInput {
  workspaceId: string
  contactId: string
  actor: Actor
  /** Where the values come from: the enrichment API or the public profile, e.g. `linkedin`. */
  source: string
  fields: Partial<Record<EnrichableField, string>>
}

/**
 * Profile enrichment (the seed: "identity information … resolved from external APIs").
 * It asks the consent module first — enrichment is its own purpose with its own lawful
 * basis — and stores each value with its provenance: the source, when, and the basis
 * it was collected under, so an access request can say where every field came from.
 */
export async function enrichContact(
  deps: ConsentDeps,
  input: EnrichmentInput,
  context: RequestContext = {},
): Promise<ContactView> {
  const fields = Object.entries(input.fields).filter(([, value]) => value !== '')
  if (fields.length === 0)
    throw new AppError('invalid_request', 'Send at least one field to enrich')
  const row = await findContact(deps.db, input.workspaceId, input.contactId)
  if (row === undefined) throw new AppError('not_found', 'No such contact')
  const cell = { table: 'contacts', column: 'profile', rowId: row.id }
  const sealer = await deps.keyring.sealerFor(input.workspaceId, row.subject_id, {
    create: false,
  })
  const profile = profileFrom(sealer.openJson(cell, row.profile))
  const subject = profile.externalId
    ? { externalId: profile.externalId }
    : profile.email
      ? { email: profile.email }
      : undefined
  if (subject === undefined)
    throw new AppError('conflict', 'The contact has no identifier to check consent for')
  const workspace = await getWorkspace(deps.db, input.workspaceId)
  const now = deps.clock.now()
  const decision = await assertMayProcess(deps, {
    workspace,
    subject,
    purpose: 'enrichment',
    now,
    actor: input.actor,
    requestId: context.requestId ?? null,
  })
  const provenance = {
    source: input.source,
    collectedAt: now.toISOString(),
    lawfulBasis: decision.lawfulBasis ?? 'unknown',
  }
  const additions = Object.fromEntries(
    fields.map(([field, value]): [string, EnrichedValue] => [field, { value, ...provenance }]),
  )
  // Re-read inside the write transaction so a change made meanwhile is not lost.
  const { enriched, current } = await inWriteTransaction(deps.db, async (trx) => {
    const latest = await findContact(trx, input.workspaceId, input.contactId)
    if (latest === undefined) throw new AppError('not_found', 'No such contact')
    const fresh = await deps.keyring.sealerFor(input.workspaceId, latest.subject_id, {
      db: trx,
      create: false,
    })
    const before = profileFrom(fresh.openJson(cell, latest.profile))
    const after: Profile = { ...before, enrichment: { ...before.enrichment, ...additions } }
    await updateContactRow(trx, input.workspaceId, latest.id, {
      profile: fresh.sealJson(cell, after),
      updated_at: now.toISOString(),
    })
    return { enriched: after, current: latest }
  })
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'contact.enriched',
    outcome: 'succeeded',
    resource: { type: 'contact', id: row.id },
    subjectId: row.subject_id,
    purpose: 'enrichment',
    details: { source: input.source, fields: fields.map(([field]) => field).join(',') },
    ...context,
  })
  return {
    id: current.id,
    ...enriched,
    lastActivityAt: current.last_activity_at,
    createdAt: current.created_at,
    updatedAt: now.toISOString(),
  }
}
