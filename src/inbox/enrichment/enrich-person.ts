import { mayProcess } from '../../consent/index.js'
import { getContact } from '../../contacts/index.js'
import { AppError, isAppError } from '../../errors.js'
import type { RequestContext } from '../../identity/index.js'
import { newId } from '../../ids.js'
import { inWriteTransaction } from '../../storage/index.js'
import { getWorkspace } from '../../workspaces/index.js'
import { conversationFor } from '../conversations.service.js'
import type { InboxCaller } from '../inbox-caller.js'
import type { InboxDeps } from '../inbox.deps.js'
import { insertEnrichments } from '../inbox.repository.js'
import type { InboxEnrichmentsTable } from '../inbox.table.js'
import { type EnrichedField, enrichedFields } from './provider.js'

/** One enriched field with its provenance: where it came from, when, on what basis. */
export interface EnrichmentView {
  field: EnrichedField
  value: string
  source: string
  lawfulBasis: string
  resolvedAt: string
}

export const enrichmentCell = (enrichmentId: string) => ({
  table: 'inbox_enrichments',
  column: 'value',
  rowId: enrichmentId,
})

/**
 * Resolves the public profile (name, avatar, company) of a conversation's contact with
 * one of the instance's providers. Enrichment is its own purpose, on consent by default
 * and evaluating the person automatically, so it asks `mayProcess(…, 'enrichment')`
 * first and stops for no consent, an objection (Art. 21), a restriction (Art. 18) or the
 * automated-decision opt-out (Art. 22); the refusal is audited. Each field found is
 * stored sealed under the person with its source, time and lawful basis (Art. 14(2)(f):
 * the person may ask where each came from).
 */
export async function enrichConversationPerson(
  deps: InboxDeps,
  caller: InboxCaller,
  input: { conversationId: string; provider: string },
  context: RequestContext = {},
): Promise<EnrichmentView[]> {
  if (caller.kind !== 'staff')
    throw new AppError('forbidden', 'Only the workspace enriches a profile')
  const { workspaceId, actor } = caller
  const provider = deps.enrichment.get(input.provider)
  if (provider === undefined) {
    throw new AppError('not_found', 'This instance has no enrichment provider of that name')
  }
  const conversation = await conversationFor(deps, caller, input.conversationId)
  if (conversation.contact_id === null) {
    throw new AppError(
      'conflict',
      'Only a conversation with a contact can be enriched: a visitor has no email',
    )
  }
  const refuse = async (reason: string, error: AppError): Promise<never> => {
    await deps.audit.record({
      workspaceId,
      actor,
      action: 'inbox.enrichment_refused',
      outcome: 'denied',
      resource: { type: 'conversation', id: conversation.id },
      subjectId: conversation.subject_id,
      purpose: 'enrichment',
      details: { source: provider.name, reason },
      ...context,
    })
    throw error
  }
  const now = deps.clock.now()
  const decision = await mayProcess(deps, {
    workspace: await getWorkspace(deps.db, workspaceId),
    subject: { subjectId: conversation.subject_id },
    purpose: 'enrichment',
    now,
    actor,
    requestId: context.requestId ?? null,
  })
  if (!decision.allowed) {
    return refuse(
      decision.reason,
      new AppError('consent_denied', `Enrichment is refused for this person: ${decision.reason}`),
    )
  }
  const contact = await getContact(deps, { workspaceId, actor }, conversation.contact_id, context)
  if (contact.email === null) {
    throw new AppError('conflict', 'The contact has no email to look up')
  }
  let profile
  try {
    profile = await provider.resolve({ workspaceId, email: contact.email })
  } catch (error) {
    if (isAppError(error) && error.code === 'transfer_refused')
      return refuse('transfer_refused', error)
    throw error
  }
  const resolvedAt = now.toISOString()
  const lawfulBasis = decision.lawfulBasis ?? 'unknown'
  const found = enrichedFields.flatMap((field) => {
    const value = profile?.[field]
    return value === undefined ? [] : [{ field, value }]
  })
  if (found.length > 0) {
    await inWriteTransaction(deps.db, async (trx) => {
      const sealer = await deps.keyring.sealerFor(workspaceId, conversation.subject_id, {
        db: trx,
        create: false,
      })
      const rows: InboxEnrichmentsTable[] = found.map(({ field, value }) => {
        const id = newId(now)
        return {
          id,
          workspace_id: workspaceId,
          subject_id: conversation.subject_id,
          contact_id: conversation.contact_id,
          field,
          value: sealer.seal(enrichmentCell(id), value),
          source: provider.name,
          lawful_basis: lawfulBasis,
          resolved_at: resolvedAt,
        }
      })
      await insertEnrichments(trx, rows)
    })
  }
  await deps.audit.record({
    workspaceId,
    actor,
    action: 'inbox.enriched',
    outcome: 'succeeded',
    resource: { type: 'conversation', id: conversation.id },
    subjectId: conversation.subject_id,
    purpose: 'enrichment',
    details: { source: provider.name, fields: found.map((item) => item.field).join(',') },
    ...context,
  })
  return found.map(({ field, value }) => ({
    field,
    value,
    source: provider.name,
    lawfulBasis,
    resolvedAt,
  }))
}
