import { Type } from 'typebox'
import { component } from '../http/index.js'
import { drpStates } from './status.logic.js'

// Request and response schemas of the DRP door (validation, types, OpenAPI).

const AgentId = Type.String({
  pattern: '^[A-Za-z0-9_.:-]{1,64}$',
  description: "The agent's agent-id, as in the DRP directory",
})

export const AgentBody = Type.Object(
  {
    agentId: AgentId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    verifyKey: Type.String({
      pattern: '^[A-Za-z0-9+/]{43}=$',
      description: "The agent's Ed25519 verify key: base64 of the raw 32 bytes",
    }),
  },
  { additionalProperties: false },
)

export const AgentSchema = Type.Object(
  {
    agentId: Type.String(),
    name: Type.String(),
    verifyKey: Type.String(),
    tokenIssuedAt: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
  },
  component('DrpAgent'),
)

export const AgentListSchema = Type.Object(
  { data: Type.Array(AgentSchema) },
  component('DrpAgentList'),
)

export const AgentParams = Type.Object({ agentId: AgentId })

/** The pair-wise set-up answers any agent id in the path alike: 403 when it is no agent. */
export const SetupParams = Type.Object({ agentId: Type.String({ minLength: 1, maxLength: 100 }) })

export const RequestParams = Type.Object({
  requestId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'The request_id' }),
})

/** A signed message (§3.07): base64 of the signature and the JSON, as `text/plain`. */
export const SignedBody = Type.String({
  maxLength: 65_536,
  description:
    'base64 of the Ed25519 signature (64 bytes) followed by the JSON message (libsodium combined mode)',
})

/** §3.03, with the protocol's spellings. */
export const ExerciseStatusSchema = Type.Object(
  {
    request_id: Type.String(),
    agent_request_id: Type.Optional(Type.String()),
    status: Type.Enum(drpStates),
    reason: Type.Optional(Type.String()),
    received_at: Type.Optional(Type.String()),
    expected_by: Type.Optional(Type.String()),
    processing_details: Type.Optional(Type.String()),
    user_verification_url: Type.Optional(Type.String()),
    expires_at: Type.Optional(Type.String()),
    results_url: Type.Optional(Type.String()),
  },
  component('DrpExerciseStatus'),
)

/** §2.06.1: nothing more than `{}` for now. */
export const AgentInfoSchema = Type.Object({}, { additionalProperties: false })

export const PairwiseTokenSchema = Type.Object(
  { 'agent-id': Type.String(), token: Type.String() },
  component('DrpPairwiseToken'),
)

/** §3.06: the protocol's error body. */
export const DrpErrorSchema = Type.Object(
  {
    code: Type.String({ description: 'The HTTP status, as a string' }),
    message: Type.String(),
    fatal: Type.Optional(Type.Boolean()),
  },
  component('DrpError'),
)
