import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'
import type { CellRef, JsonValue, Keyring } from '../crypto/index.js'
import { component, EmailSchema } from '../http/index.js'
import type { Database } from '../storage/index.js'
import { findController } from './workspaces.repository.js'

/**
 * Who a workspace is as a controller: what Art. 13(1)(a)-(b) and 30(1)(a) require it to
 * state (its identity and contact details, its representative's (Art. 27) and its data
 * protection officer's) and the supervisory authority a person may complain to (Art.
 * 13(2)(d), 77). Records of processing, the privacy notice and consent receipts all read
 * it from here.
 */
const Line = (maxLength: number) => Type.String({ minLength: 1, maxLength })
const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2, e.g. DK',
})

export const PostalAddressSchema = Type.Object(
  {
    streetAddress: Line(300),
    locality: Line(200),
    postalCode: Line(32),
    country: CountryCode,
  },
  { additionalProperties: false },
)

const PhoneSchema = Type.String({
  pattern: '^\\+?[0-9][0-9 ().-]{3,30}$',
  description: 'A telephone number, international form preferred: +45 12 34 56 78',
})

export const ControllerSchema = Type.Object(
  {
    legalName: Line(300),
    address: PostalAddressSchema,
    email: EmailSchema,
    phone: PhoneSchema,
    dpo: Type.Object(
      { name: Line(200), email: EmailSchema },
      {
        additionalProperties: false,
        description: 'The data protection officer (Art. 37-39), or the person in that role',
      },
    ),
    representative: Type.Optional(
      Type.Object(
        { name: Line(300), email: EmailSchema, address: PostalAddressSchema },
        {
          additionalProperties: false,
          description:
            'The representative in the Union of a controller established outside it (Art. 27)',
        },
      ),
    ),
    supervisoryAuthority: Type.Object(
      {
        name: Line(300),
        country: CountryCode,
        url: Type.String({ format: 'uri', maxLength: 500 }),
      },
      {
        additionalProperties: false,
        description: 'The lead supervisory authority a person may lodge a complaint with (Art. 77)',
      },
    ),
  },
  component('Controller'),
)

export type Controller = Static<typeof ControllerSchema>

function cellOf(workspaceId: string): CellRef {
  // Sealed under a key of the workspace's own (its id as the key holder): the record
  // names people (the DPO, a representative), and nothing personal is stored in clear.
  return {
    workspaceId,
    subjectId: workspaceId,
    table: 'workspaces',
    column: 'controller',
    rowId: workspaceId,
  }
}

/**
 * The workspace's controller record, or null until it is recorded. Not audited: these
 * are the contact points the controller must publish to everyone (Art. 13(1)(a)-(b),
 * 37(7)), and the privacy notice serves them publicly.
 */
export async function readController(
  deps: { db: Database; keyring: Keyring },
  workspaceId: string,
): Promise<Controller | null> {
  const sealed = await findController(deps.db, workspaceId)
  if (sealed === null) return null
  const opened = await deps.keyring.openJson(cellOf(workspaceId), sealed)
  if (!Value.Check(ControllerSchema, opened)) {
    throw new Error(`The stored controller record of workspace ${workspaceId} is not valid`)
  }
  return opened
}

/** The record sealed for the `controller` column; it replaces the stored one whole. */
export async function sealController(
  keyring: Keyring,
  workspaceId: string,
  controller: Controller,
): Promise<Buffer> {
  const document = Value.Clean(ControllerSchema, Value.Clone(controller)) as JsonValue
  return keyring.sealJson(cellOf(workspaceId), document)
}
