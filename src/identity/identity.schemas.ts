import { Type } from 'typebox'
import { EmailSchema } from '../http/index.js'

// Request and response schemas of the identity routes: they validate, type the
// handlers and document the API in OpenAPI from one place.

export const RoleSchema = Type.Union([
  Type.Literal('owner'),
  Type.Literal('admin'),
  Type.Literal('dpo'),
  Type.Literal('agent'),
])
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const PersonName = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])

export const OperatorSchema = Type.Object({
  id: Type.String(),
  workspaceId: Type.String(),
  email: Type.String(),
  firstName: Type.Union([Type.String(), Type.Null()]),
  lastName: Type.Union([Type.String(), Type.Null()]),
  pictureUrl: Type.Union([Type.String(), Type.Null()]),
  role: RoleSchema,
  twoFactorEnabled: Type.Boolean(),
  passwordSet: Type.Boolean(),
  createdAt: Type.String(),
  disabledAt: Type.Union([Type.String(), Type.Null()]),
})

export const ProfileFields = {
  firstName: Type.Optional(PersonName),
  lastName: Type.Optional(PersonName),
  pictureUrl: Type.Optional(
    Type.Union([
      Type.String({ format: 'uri', maxLength: 2048, pattern: '^https://' }),
      Type.Null(),
    ]),
  ),
}

export const CreateOperatorBody = Type.Object(
  { email: EmailSchema, role: RoleSchema, ...ProfileFields },
  { additionalProperties: false },
)

export const CreatedOperatorSchema = Type.Object({
  operator: OperatorSchema,
  setupUrl: Type.String({ description: 'One-time link for the operator to set a password' }),
  setupToken: Type.String(),
  expiresAt: Type.String(),
})

export const ChangeOperatorBody = Type.Object({ role: RoleSchema }, { additionalProperties: false })
export const ProfileBody = Type.Object(ProfileFields, { additionalProperties: false })

export const SetupBody = Type.Object(
  {
    token: Type.String({ minLength: 20, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
)

export const SetupLinkBody = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 200 }) },
  { additionalProperties: false },
)

const WorkspaceRef = Type.Object({ id: Type.String(), name: Type.String() })

export const SetupLinkSchema = Type.Object({
  workspace: WorkspaceRef,
  email: Type.String({ description: 'The invited email, masked (a…e@example.com)' }),
  role: RoleSchema,
  expiresAt: Type.String(),
})

export const LoginBody = Type.Object(
  {
    workspaceId: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'The workspace to sign in to. Without it, the account is found by email; when the password opens accounts in several workspaces, the answer lists them to choose from',
      }),
    ),
    email: EmailSchema,
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    totpCode: Type.Optional(Type.String({ maxLength: 16 })),
    recoveryCode: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
)

export const SessionSchema = Type.Object({
  operator: OperatorSchema,
  workspace: WorkspaceRef,
  csrfToken: Type.String({
    description: 'Send as X-CSRF-Token on every cookie-authenticated write',
  }),
  expiresAt: Type.String(),
})

export const WorkspaceChoiceSchema = Type.Object(
  { workspaces: Type.Array(WorkspaceRef) },
  {
    description:
      'Not signed in yet: the password opens accounts in several workspaces. Send the same request again with one workspaceId',
  },
)

export const LogoutQuery = Type.Object(
  {
    everywhere: Type.Optional(Type.Boolean({ description: 'End every session of this operator' })),
  },
  { additionalProperties: false },
)

export const CodeBody = Type.Object(
  {
    code: Type.String({
      minLength: 6,
      maxLength: 16,
      description: 'A current code from the authenticator app',
    }),
  },
  { additionalProperties: false },
)

export const RecoveryCodesSchema = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Shown once; each works once' }),
})

export const ApiKeySchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('public'), Type.Literal('secret')]),
  label: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
})

export const CreateApiKeyBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('public'), Type.Literal('secret')]),
    label: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
)

export const CreatedApiKeySchema = Type.Object({
  ...ApiKeySchema.properties,
  key: Type.String({ description: 'The key itself, shown this once' }),
})
