import { AppError } from '../errors.js'
import type { RequestContext } from '../identity/index.js'
import { inErasingTransaction } from '../storage/index.js'
import { kindsOf, redactContactFindings } from './contact-findings.logic.js'
import { findContact, updateContactRow } from './contacts.repository.js'
import {
  type ContactDeps,
  type ContactView,
  contactEvent,
  openProfile,
  profileCell,
  toView,
  type Who,
} from './contacts.service.js'

/**
 * Redacts findings of a contact in place, on an operator's decision (Art. 5(1)(c)):
 * every flagged finding, or every one left in the named fields. What this guarantees is
 * less than a message's redaction, and says so: a contact's profile is one envelope
 * under the person's own key, which also seals their consents and events, so the
 * original cannot be shredded on its own. The new profile replaces the old row; on
 * SQLite the old bytes are zeroed in the file and its WAL (`inErasingTransaction`); on
 * PostgreSQL they stay in a dead tuple until vacuumed and reused. A copy made before
 * (a backup, a replica) still opens under the person's key until the person is erased,
 * which destroys it. Kinds the workspace auto-redacts never get that far: they are
 * replaced before the first seal.
 */
export async function redactContact(
  deps: ContactDeps,
  input: Who & { contactId: string; fields?: readonly string[] | undefined },
  context: RequestContext = {},
): Promise<ContactView> {
  if (input.fields?.includes('externalId')) {
    throw new AppError('invalid_request', 'The external id is flagged only, never rewritten', {
      errors: [{ in: 'body', field: 'fields', message: 'may not name externalId' }],
    })
  }
  const now = deps.clock.now().toISOString()
  const { row, profile, redacted } = await inErasingTransaction(deps.db, async (trx) => {
    const current = await findContact(trx, input.workspaceId, input.contactId)
    if (current === undefined) throw new AppError('not_found', 'No such contact')
    const sealer = await deps.keyring.sealerFor(input.workspaceId, current.subject_id, {
      db: trx,
      create: false,
    })
    const result = redactContactFindings(openProfile(sealer, current), input.fields)
    if (result.redacted.length === 0) {
      throw new AppError('conflict', 'Nothing in this contact is left to redact')
    }
    const changes = {
      profile: sealer.sealJson(profileCell(current.id), result.profile),
      updated_at: now,
    }
    await updateContactRow(trx, input.workspaceId, current.id, changes)
    return { row: { ...current, ...changes }, profile: result.profile, redacted: result.redacted }
  })
  await deps.audit.record(
    contactEvent(input, 'contact.redacted', row, context, {
      kinds: kindsOf(redacted),
      count: redacted.length,
      fields: [...new Set(redacted.map((finding) => finding.field))].sort().join(','),
      automatic: false,
    }),
  )
  return toView(row, profile)
}
