import { Type } from 'typebox'
import type { App } from '../app.js'
import type { ConsentDeps } from '../consent/index.js'
import { AppError } from '../errors.js'
import { requestContext } from '../identity/index.js'
import { requires } from '../identity/index.js'
import { principalOf } from '../identity/index.js'
import { IdParams } from '../identity/index.js'
import { actorOf } from '../identity/index.js'
import { isId } from '../ids.js'
import {
  ContactBatchSchema,
  ContactPageSchema,
  ContactSchema,
  CreateContactBody,
  CreateContactsBody,
  EnrichContactBody,
  RedactContactBody,
  ListContactsQuery,
  UpdateContactBody,
} from './contacts.schemas.js'
import {
  type ContactDeps,
  createContact,
  deleteContact,
  findContacts,
  getContact,
  listContacts,
  updateContact,
} from './contacts.service.js'
import { enrichContact } from './enrich-contact.js'
import { createContacts } from './import-contacts.js'
import { redactContact } from './redact-contact.js'

const tags = ['contacts']

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (!isId(id)) throw new AppError('invalid_request', 'The cursor is not one this API gave out')
  return id
}

/** CRM profiles: `POST/GET/PATCH/DELETE /v1/contacts`, look-up by email or external id. */
export function registerContactRoutes(app: App, deps: ContactDeps & ConsentDeps): void {
  const who = (request: Parameters<typeof principalOf>[0]) => {
    const principal = principalOf(request)
    return { workspaceId: principal.workspaceId, actor: actorOf(principal) }
  }

  app.post(
    '/v1/contacts',
    {
      config: { access: requires('personal-data:write') },
      schema: {
        tags,
        summary: 'Create a contact',
        body: CreateContactBody,
        response: { 201: ContactSchema },
      },
    },
    async (request, reply) => {
      const contact = await createContact(
        deps,
        { ...who(request), ...request.body },
        requestContext(request),
      )
      return reply.code(201).header('location', `/v1/contacts/${contact.id}`).send(contact)
    },
  )

  app.post(
    '/v1/contacts/batch',
    {
      // Each contact is checked against the JSON bounds on its own (import-contacts.ts).
      config: { access: requires('personal-data:write'), checksItemsAlone: true },
      schema: {
        tags,
        summary:
          'Create up to 500 contacts at once (an import); each is accepted or rejected on its own',
        body: CreateContactsBody,
        response: { 200: ContactBatchSchema },
      },
    },
    async (request) =>
      createContacts(deps, who(request), request.body.contacts, requestContext(request)),
  )

  app.get(
    '/v1/contacts',
    {
      config: { access: requires('personal-data:read') },
      schema: {
        tags,
        summary:
          'List contacts, newest first, or find one by email or externalId (blind index look-up)',
        querystring: ListContactsQuery,
        response: { 200: ContactPageSchema },
      },
    },
    async (request) => {
      const { email, externalId, limit = 50, cursor } = request.query
      if (email !== undefined || externalId !== undefined) {
        const data = await findContacts(
          deps,
          who(request),
          {
            ...(email !== undefined ? { email } : {}),
            ...(externalId !== undefined ? { externalId } : {}),
          },
          requestContext(request),
        )
        return { data, nextCursor: null }
      }
      const before = decodeCursor(cursor)
      const page = await listContacts(
        deps,
        who(request),
        { limit, ...(before !== undefined ? { before } : {}) },
        requestContext(request),
      )
      const nextCursor =
        page.more && page.last ? Buffer.from(page.last).toString('base64url') : null
      return { data: page.contacts, nextCursor }
    },
  )

  app.get(
    '/v1/contacts/:id',
    {
      config: { access: requires('personal-data:read') },
      schema: { tags, summary: 'One contact', params: IdParams, response: { 200: ContactSchema } },
    },
    async (request) => getContact(deps, who(request), request.params.id, requestContext(request)),
  )

  app.patch(
    '/v1/contacts/:id',
    {
      config: { access: requires('personal-data:write') },
      schema: {
        tags,
        summary: 'Change a contact; attributes merge (null removes one)',
        params: IdParams,
        body: UpdateContactBody,
        response: { 200: ContactSchema },
      },
    },
    async (request) =>
      updateContact(
        deps,
        { ...who(request), ...request.body, contactId: request.params.id },
        requestContext(request),
      ),
  )

  app.delete(
    '/v1/contacts/:id',
    {
      config: { access: requires('personal-data:erase') },
      schema: {
        tags,
        summary: 'Delete a contact and destroy its key: no copy of its data opens again',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteContact(
        deps,
        { ...who(request), contactId: request.params.id },
        requestContext(request),
      )
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/v1/contacts/:id/redactions',
    {
      config: { access: requires('personal-data:write') },
      schema: {
        tags,
        summary: 'Redact sensitive data found in a contact’s name or attributes, in place',
        description:
          'Every flagged finding, or every finding left in the named fields, is replaced by `[redacted: <kind>]` (a number attribute is removed); the external id is never rewritten. Audited (contact.redacted).',
        params: IdParams,
        body: RedactContactBody,
        response: { 200: ContactSchema },
      },
    },
    async (request) =>
      redactContact(
        deps,
        { ...who(request), contactId: request.params.id, fields: request.body.fields },
        requestContext(request),
      ),
  )

  app.post(
    '/v1/contacts/:id/enrichment',
    {
      config: { access: requires('personal-data:write') },
      schema: {
        tags,
        summary:
          'Add enriched profile fields with their provenance; refused without a basis for enrichment',
        params: IdParams,
        body: EnrichContactBody,
        response: { 200: ContactSchema },
      },
    },
    async (request) =>
      enrichContact(
        deps,
        { ...who(request), ...request.body, contactId: request.params.id },
        requestContext(request),
      ),
  )
}
