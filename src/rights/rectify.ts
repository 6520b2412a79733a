import { findContacts, updateContact } from '../contacts/index.js'
import { AppError } from '../errors.js'
import type { RequestDetails, RequestSubject } from './request-envelope.js'
import type { RightsDeps } from './rights.deps.js'
import { audit, type RightsCaller, type RightsContext } from './rights.service.js'

type Changes = NonNullable<RequestDetails['changes']>

/**
 * Art. 16: corrects the person's contact profile. The audit entry proves what changed
 * without holding it: per field, a keyed hash (the workspace's blind-index key) of the
 * value before and after, so an auditor holding a claimed value can check it, and
 * nobody can read one.
 */
export async function rectifyContact(
  deps: RightsDeps,
  caller: RightsCaller,
  request: { id: string; workspace_id: string },
  subject: RequestSubject,
  changes: Changes,
  context: RightsContext,
): Promise<{ contacts: number; fields: string[] }> {
  const workspaceId = request.workspace_id
  const who = { workspaceId, actor: caller.actor }
  const requestContext = { requestId: context.requestId ?? null, ip: context.ip ?? null }
  const found = await findContacts(deps.contacts, who, subject, requestContext)
  const [contact] = found
  if (contact === undefined) {
    throw new AppError('not_found', 'The person has no contact profile to correct')
  }
  const indexer = await deps.keyring.indexerFor(workspaceId)
  const hashOf = (field: string, value: unknown) =>
    indexer
      .hex('subject_id', `rectification\0${field}\0${JSON.stringify(value ?? null)}`)
      .slice(0, 16)
  const fields: string[] = []
  const before: string[] = []
  const after: string[] = []
  const note = (field: string, old: unknown, next: unknown) => {
    fields.push(field)
    before.push(hashOf(field, old))
    after.push(hashOf(field, next))
  }
  if (changes.name !== undefined) note('name', contact.name, changes.name)
  if (changes.email !== undefined) note('email', contact.email, changes.email)
  for (const [name, value] of Object.entries(changes.attributes ?? {})) {
    note(`attributes.${name}`, contact.attributes[name], value)
  }
  await updateContact(
    deps.contacts,
    {
      ...who,
      contactId: contact.id,
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.email !== undefined ? { email: changes.email } : {}),
      ...(changes.attributes !== undefined ? { attributes: changes.attributes } : {}),
    },
    requestContext,
  )
  await audit(deps, caller, context, 'rights.contact_rectified', request, {
    fields: fields.join(' '),
    before: before.join(' '),
    after: after.join(' '),
  })
  return { contacts: 1, fields }
}
