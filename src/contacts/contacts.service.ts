import type { AuditEvent } from '../audit/index.js'
import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { SubjectSealer } from '../crypto/index.js'
import { type DetectionPolicy, readDetectionPolicy } from '../detection/index.js'
import { emailAsTyped } from '../email/index.js'
import { AppError } from '../errors.js'
import type { RequestContext } from '../identity/index.js'
import type { Actor } from '../identity/index.js'
import { newId } from '../ids.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import { getWorkspace } from '../workspaces/index.js'
import {
  type Attributes,
  attributeMismatchErrors,
  checkAttributeTypes,
  mergeAttributes,
  newProfileOf,
  type Profile,
} from './contacts.logic.js'
import {
  attributeTypes,
  deleteContactRow,
  findContact,
  findContactByIndex,
  insertAttributeTypes,
  insertContact,
  listContactRows,
  updateContactRow,
} from './contacts.repository.js'
import type { ContactsAuditAction } from './contacts.audit.js'
import { attachContactIdentifiers, subjectForNewContact } from './contact-subject.js'
import {
  type ContactFinding,
  findingsSummary,
  kindsOf,
  scanContact,
  writtenFields,
} from './contact-findings.logic.js'
import { type ContactInput, profileFrom } from './contacts.schemas.js'
import type { ContactsTable } from './contacts.table.js'

export interface ContactDeps {
  db: Database
  keyring: Keyring
  audit: Pick<AuditLog, 'record' | 'recordMany'>
  clock: Clock
}

export interface ContactView extends Profile {
  id: string
  lastActivityAt: string | null
  createdAt: string
  updatedAt: string
}

// The profile is sealed under the key of the contact's subject (`subject_id`): the
// person's one key holder, whose key the erasure walk destroys. The cell names this
// table, column and row exactly as declared for re-sealing in personal-data.ts.
export const profileCell = (contactId: string) => ({
  table: 'contacts',
  column: 'profile',
  rowId: contactId,
})

export interface Who {
  workspaceId: string
  actor: Actor
}

export async function createContact(
  deps: ContactDeps,
  input: Who & ContactInput,
  context: RequestContext = {},
): Promise<ContactView> {
  if (!input.email && !input.externalId) {
    throw new AppError('invalid_request', 'A contact needs an email or an externalId', {
      errors: [{ in: 'body', field: 'email', message: 'or externalId is required' }],
    })
  }
  const now = deps.clock.now().toISOString()
  const id = newId(deps.clock.now())
  const policy = await detectionPolicyOf(deps, input.workspaceId)
  // Scanned before sealing: an auto-redacted value never reaches storage.
  const { profile, fresh } = scanContact(newProfileOf(input), 'all', policy, now)
  const row = await inWriteTransaction(deps.db, async (trx) => {
    await assertAttributeTypes(trx, input.workspaceId, profile.attributes, now)
    const indexes = await indexesOf(deps.keyring, trx, input.workspaceId, profile)
    await assertUnique(trx, input.workspaceId, indexes, null)
    const subjectId = await subjectForNewContact(trx, {
      workspaceId: input.workspaceId,
      contactId: id,
      indexes,
      now: deps.clock.now(),
    })
    // Made here only for a new person (the subject is the contact's id); else the
    // person's key, made when their subject was.
    const sealer = await deps.keyring.sealerFor(input.workspaceId, subjectId, { db: trx })
    const inserted: ContactsTable = {
      id,
      workspace_id: input.workspaceId,
      subject_id: subjectId,
      ...indexes,
      profile: sealer.sealJson(profileCell(id), profile),
      last_activity_at: null,
      created_at: now,
      updated_at: now,
    }
    await insertContact(trx, inserted)
    return inserted
  })
  await recordWrite(
    deps,
    input,
    'contact.created',
    row,
    context,
    {
      fields: changedFields(input).join(','),
    },
    fresh,
  )
  return toView(row, profile)
}

export async function getContact(
  deps: ContactDeps,
  who: Who,
  contactId: string,
  context: RequestContext = {},
): Promise<ContactView> {
  const row = await findContact(deps.db, who.workspaceId, contactId)
  if (row === undefined) throw new AppError('not_found', 'No such contact')
  const view = await openContact(deps, row)
  await recordEvent(deps, who, 'contact.read', row, context)
  return view
}

/** Finds by email or external id through the blind indexes: nothing is decrypted to search. */
export async function findContacts(
  deps: ContactDeps,
  who: Who,
  by: { email?: string; externalId?: string },
  context: RequestContext = {},
): Promise<ContactView[]> {
  const lookups: Promise<ContactsTable | undefined>[] = []
  if (by.email !== undefined) {
    const index = await deps.keyring.blindIndex(who.workspaceId, 'email', by.email)
    lookups.push(findContactByIndex(deps.db, who.workspaceId, 'email_index', index))
  }
  if (by.externalId !== undefined) {
    const index = await deps.keyring.blindIndex(who.workspaceId, 'external_id', by.externalId)
    lookups.push(findContactByIndex(deps.db, who.workspaceId, 'external_id_index', index))
  }
  const found = await Promise.all(lookups)
  const [first] = found
  // With both filters a contact must match both.
  if (first === undefined || found.some((row) => row?.id !== first.id)) return []
  const view = await openContact(deps, first)
  await recordEvent(deps, who, 'contact.read', first, context)
  return [view]
}

export async function listContacts(
  deps: ContactDeps,
  who: Who,
  page: { before?: string; limit: number },
  context: RequestContext = {},
): Promise<{ contacts: ContactView[]; last: string | null; more: boolean }> {
  const rows = await listContactRows(deps.db, who.workspaceId, { ...page, limit: page.limit + 1 })
  const more = rows.length > page.limit
  const shown = rows.slice(0, page.limit)
  const contacts = await Promise.all(shown.map((row) => openContact(deps, row)))
  if (contacts.length > 0) {
    await deps.audit.record({
      workspaceId: who.workspaceId,
      actor: who.actor,
      action: 'contact.listed',
      outcome: 'succeeded',
      resource: { type: 'contact' },
      details: { count: contacts.length },
      ...context,
    })
  }
  return { contacts, last: shown.at(-1)?.id ?? null, more }
}

export async function updateContact(
  deps: ContactDeps,
  input: Who & ContactInput & { contactId: string },
  context: RequestContext = {},
): Promise<ContactView> {
  const now = deps.clock.now().toISOString()
  const policy = await detectionPolicyOf(deps, input.workspaceId)
  const { row, profile, fresh } = await inWriteTransaction(deps.db, async (trx) => {
    const current = await findContact(trx, input.workspaceId, input.contactId)
    if (current === undefined) throw new AppError('not_found', 'No such contact')
    const sealer = await deps.keyring.sealerFor(input.workspaceId, current.subject_id, {
      db: trx,
      create: false,
    })
    const before = openProfile(sealer, current)
    const merged: Profile = {
      ...before,
      ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
      ...(input.email !== undefined
        ? { email: input.email ? emailAsTyped(input.email) : null }
        : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      attributes: mergeAttributes(before.attributes, input.attributes ?? {}),
    }
    // Only the fields this change writes are scanned again; the others keep their findings.
    const scan = scanContact(merged, writtenFields(input), policy, now)
    const after = scan.profile
    if (!after.email && !after.externalId) {
      throw new AppError('invalid_request', 'A contact keeps an email or an externalId')
    }
    await assertAttributeTypes(trx, input.workspaceId, input.attributes ?? {}, now)
    const indexes = await indexesOf(deps.keyring, trx, input.workspaceId, after)
    await assertUnique(trx, input.workspaceId, indexes, current.id)
    await attachContactIdentifiers(trx, {
      workspaceId: input.workspaceId,
      subjectId: current.subject_id,
      indexes,
      now: deps.clock.now(),
    })
    const changes = {
      ...indexes,
      profile: sealer.sealJson(profileCell(current.id), after),
      updated_at: now,
    }
    await updateContactRow(trx, input.workspaceId, current.id, changes)
    return { row: { ...current, ...changes }, profile: after, fresh: scan.fresh }
  })
  await recordWrite(
    deps,
    input,
    'contact.updated',
    row,
    context,
    {
      fields: changedFields(input).join(','),
    },
    fresh,
  )
  return toView(row, profile)
}

/**
 * Deletes a contact's row: its profile leaves the CRM. The key that sealed it is the
 * person's (their consents and events are sealed under it too), so it is not destroyed
 * here; a copy of the profile in a backup opens only until the person is erased
 * (`eraseSubject` in the subjects module, Art. 17), which destroys every key of theirs.
 * A contact from before the subjects module is its own key holder, and the person's
 * erasure destroys that key the same way.
 */
export async function deleteContact(
  deps: ContactDeps,
  who: Who & { contactId: string },
  context: RequestContext = {},
): Promise<void> {
  const deleted = await inWriteTransaction(deps.db, async (trx) => {
    const row = await findContact(trx, who.workspaceId, who.contactId)
    if (row === undefined) return undefined
    await deleteContactRow(trx, who.workspaceId, who.contactId)
    return row
  })
  if (deleted === undefined) throw new AppError('not_found', 'No such contact')
  await recordEvent(deps, who, 'contact.deleted', deleted, context)
}

export async function openContact(
  deps: Pick<ContactDeps, 'keyring'>,
  row: ContactsTable,
): Promise<ContactView> {
  const sealer = await deps.keyring.sealerFor(row.workspace_id, row.subject_id, { create: false })
  return toView(row, openProfile(sealer, row))
}

export function openProfile(sealer: SubjectSealer, row: ContactsTable): Profile {
  return profileFrom(sealer.openJson(profileCell(row.id), row.profile))
}

async function indexesOf(keyring: Keyring, trx: Database, workspaceId: string, profile: Profile) {
  const indexer = await keyring.indexerFor(workspaceId, { db: trx })
  return {
    email_index: profile.email ? indexer.index('email', profile.email) : null,
    external_id_index: profile.externalId ? indexer.index('external_id', profile.externalId) : null,
  }
}

async function assertUnique(
  trx: Database,
  workspaceId: string,
  indexes: { email_index: Buffer | null; external_id_index: Buffer | null },
  self: string | null,
): Promise<void> {
  for (const [column, field] of [
    ['email_index', 'email'],
    ['external_id_index', 'externalId'],
  ] as const) {
    const index = indexes[column]
    if (index === null) continue
    const other = await findContactByIndex(trx, workspaceId, column, index)
    if (other && other.id !== self) {
      throw new AppError('conflict', `Another contact already has this ${field}`, {
        errors: [{ in: 'body', field, message: 'is already used by another contact' }],
      })
    }
  }
}

async function assertAttributeTypes(
  trx: Database,
  workspaceId: string,
  attributes: Attributes,
  now: string,
) {
  const check = checkAttributeTypes(attributes, await attributeTypes(trx, workspaceId))
  if (check.mismatches.length > 0) {
    throw new AppError('invalid_request', 'Attribute values must keep the type the attribute has', {
      errors: attributeMismatchErrors(check.mismatches),
    })
  }
  await insertAttributeTypes(
    trx,
    Object.entries(check.newTypes).map(([name, type]) => ({
      workspace_id: workspaceId,
      name,
      type,
      created_at: now,
    })),
  )
}

export function changedFields(input: ContactInput): string[] {
  return (['externalId', 'email', 'name', 'attributes'] as const).filter(
    (field) => input[field] !== undefined,
  )
}

/** The workspace's detection policy: the same threshold and auto-redaction as its inbox. */
export async function detectionPolicyOf(
  deps: Pick<ContactDeps, 'db'>,
  workspaceId: string,
): Promise<DetectionPolicy> {
  return readDetectionPolicy((await getWorkspace(deps.db, workspaceId)).settings)
}

/**
 * A write's audit entries: the change, with what detection found in it (counts and
 * kinds), and, when it redacted something, a `contact.redacted` entry of its own.
 */
async function recordWrite(
  deps: ContactDeps,
  who: Who,
  action: 'contact.created' | 'contact.updated',
  contact: Pick<ContactsTable, 'id' | 'subject_id'>,
  context: RequestContext,
  details: Record<string, string>,
  fresh: readonly ContactFinding[],
): Promise<void> {
  await deps.audit.recordMany(writeEvents(who, action, contact, context, details, fresh))
}

export function writeEvents(
  who: Who,
  action: 'contact.created' | 'contact.updated',
  contact: Pick<ContactsTable, 'id' | 'subject_id'>,
  context: RequestContext,
  details: Record<string, string>,
  fresh: readonly ContactFinding[],
): AuditEvent[] {
  const redacted = fresh.filter((finding) => finding.status === 'redacted')
  return [
    contactEvent(who, action, contact, context, {
      ...details,
      ...(fresh.length === 0 ? {} : findingsSummary(fresh)),
    }),
    ...(redacted.length === 0
      ? []
      : [
          contactEvent(who, 'contact.redacted', contact, context, {
            kinds: kindsOf(redacted),
            count: redacted.length,
            fields: [...new Set(redacted.map((finding) => finding.field))].sort().join(','),
            automatic: true,
          }),
        ]),
  ]
}

async function recordEvent(
  deps: ContactDeps,
  who: Who,
  action: ContactsAuditAction,
  contact: Pick<ContactsTable, 'id' | 'subject_id'>,
  context: RequestContext,
  details?: Record<string, string>,
): Promise<void> {
  await deps.audit.record(contactEvent(who, action, contact, context, details))
}

/**
 * The audit entry of something done to one contact, whose person (the contact's
 * subject) is the entry's subject: the erasure and export walks find it by the person's
 * key holders.
 */
export function contactEvent(
  who: Who,
  action: ContactsAuditAction,
  contact: Pick<ContactsTable, 'id' | 'subject_id'>,
  context: RequestContext,
  details?: Record<string, string | number | boolean>,
): AuditEvent {
  return {
    workspaceId: who.workspaceId,
    actor: who.actor,
    action,
    outcome: 'succeeded',
    resource: { type: 'contact', id: contact.id },
    subjectId: contact.subject_id,
    ...(details ? { details } : {}),
    ...context,
  }
}

export function toView(row: ContactsTable, profile: Profile): ContactView {
  return {
    id: row.id,
    ...profile,
    lastActivityAt: row.last_activity_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
