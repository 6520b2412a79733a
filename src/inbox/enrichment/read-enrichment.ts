import { AppError } from '../../errors.js'
import type { RequestContext } from '../../identity/index.js'
import { conversationFor } from '../conversations.service.js'
import type { InboxCaller } from '../inbox-caller.js'
import type { InboxDeps } from '../inbox.deps.js'
import { selectEnrichmentsOf } from '../inbox.repository.js'
import { enrichmentCell, type EnrichmentView } from './enrich-person.js'
import { type EnrichedField, enrichedFields } from './provider.js'

/**
 * What enrichment has stored about a conversation's person, oldest first: each field
 * with its value and its provenance (source, time, lawful basis), so staff can tell a
 * resolved name from one the person gave and answer "where did you get this?" (Art.
 * 14(2)(f), 15(1)(g)). Opening the values is a read of personal data: audited, with the
 * count, even when nothing was found.
 */
export async function readEnrichment(
  deps: InboxDeps,
  caller: InboxCaller,
  conversationId: string,
  context: RequestContext = {},
): Promise<EnrichmentView[]> {
  if (caller.kind !== 'staff')
    throw new AppError('forbidden', 'Only the workspace reads enriched profiles')
  const { workspaceId } = caller
  const conversation = await conversationFor(deps, caller, conversationId)
  const rows = await selectEnrichmentsOf(deps.db, workspaceId, [conversation.subject_id])
  const sealer = await deps.keyring.sealerFor(workspaceId, conversation.subject_id, {
    create: false,
  })
  // Oldest first; fields resolved together in the order providers give them.
  const ordered = rows
    .filter(isKnownField)
    .sort(
      (a, b) =>
        a.resolved_at.localeCompare(b.resolved_at) ||
        enrichedFields.indexOf(a.field) - enrichedFields.indexOf(b.field),
    )
  const views = ordered.map((row) => ({
    field: row.field,
    value: sealer.openText(enrichmentCell(row.id), row.value),
    source: row.source,
    lawfulBasis: row.lawful_basis,
    resolvedAt: row.resolved_at,
  }))
  await deps.audit.record({
    workspaceId,
    actor: caller.actor,
    action: 'inbox.enrichment_read',
    outcome: 'succeeded',
    resource: { type: 'conversation', id: conversation.id },
    subjectId: conversation.subject_id,
    purpose: 'enrichment',
    details: { count: views.length },
    ...context,
  })
  return views
}

function isKnownField<Row extends { field: string }>(
  row: Row,
): row is Row & { field: EnrichedField } {
  return (enrichedFields as readonly string[]).includes(row.field)
}
