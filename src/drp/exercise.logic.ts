import { type Static, Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { EmailSchema, reportItem } from '../http/index.js'
import type { FileRequestInput, RequestType } from '../rights/index.js'
import { DrpRefusal, drpVersion } from './signed-message.logic.js'

/**
 * What an exercise (§2.01) asks, and how it becomes a rights request. Pure.
 *
 * DRP 1.0 encodes the CCPA's rights; Custodian answers them as the GDPR rights that
 * cover them, and carries the other GDPR rights over the same door as a documented
 * extension, its GDPR profile: `regime: "gdpr"` with the extra `exercise` values below,
 * and the claims `gdpr.changes`, `gdpr.purposes` and `gdpr.message`.
 */

/** DRP's own rights (§3.01) that Custodian answers, under `ccpa`, `gdpr` or no regime. */
const coreExercises = {
  access: 'access', // CCPA right to know → Art. 15
  deletion: 'erasure', // CCPA right to delete → Art. 17
  'sale:opt-out': 'objection', // CCPA opt-out of sale → Art. 21(2)–(3), direct marketing
} as const satisfies Record<string, RequestType>

/** The GDPR profile: the other rights of Chapter III, only with `regime: "gdpr"`. */
const gdprExercises = {
  rectification: 'rectification', // Art. 16
  restriction: 'restriction', // Art. 18
  objection: 'objection', // Art. 21
  portability: 'portability', // Art. 20
  'automated-decision': 'automated-decision', // Art. 22
} as const satisfies Record<string, RequestType>

export const supportedExercises = [
  ...Object.keys(coreExercises),
  ...Object.keys(gdprExercises),
] as readonly string[]
export const supportedRegimes = ['ccpa', 'gdpr'] as const

const Flag = Type.Optional(Type.Boolean())
const Text = (maxLength: number) => Type.Optional(Type.String({ minLength: 1, maxLength }))

/**
 * The claims of an exercise, as far as Custodian reads them. Other claims may be there
 * (§2.01 allows them) and are ignored; what is read is bounded.
 */
const ExerciseClaims = Type.Object({
  'drp.version': Type.String({ maxLength: 16 }),
  exercise: Type.String({ maxLength: 64 }),
  regime: Type.Optional(Type.String({ maxLength: 32 })),
  'agent-request-id': Text(200),
  relationships: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
  status_callback: Text(2000),
  // §3.04: the person, in schema.org/Person claims, each verified or not by the agent.
  name: Text(300),
  email: Type.Optional(EmailSchema),
  email_verified: Flag,
  phone_number: Text(40),
  phone_number_verified: Flag,
  address: Type.Optional(Type.Unknown()),
  address_verified: Flag,
  power_of_attorney: Text(2000),
  // The GDPR profile's claims (the details a rights request of that type takes).
  'gdpr.message': Text(5000),
  'gdpr.purposes': Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 }),
  ),
  'gdpr.changes': Type.Optional(
    Type.Object(
      {
        name: Type.Optional(
          Type.Union([Type.String({ minLength: 1, maxLength: 300 }), Type.Null()]),
        ),
        email: Type.Optional(Type.Union([EmailSchema, Type.Null()])),
        attributes: Type.Optional(
          Type.Record(
            Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }),
            Type.Union([
              Type.String({ maxLength: 2000 }),
              Type.Number(),
              Type.Boolean(),
              Type.Null(),
            ]),
          ),
        ),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
  ),
})
const claimsValidator = Compile(ExerciseClaims)
type ExerciseClaims = Static<typeof ExerciseClaims>

export interface Exercise {
  exercise: string
  regime: string | null
  type: RequestType
  email: string
  agentRequestId: string | null
  statusCallback: URL | null
  details: NonNullable<FileRequestInput['details']> | undefined
  claims: {
    emailVerified: boolean
    name: boolean
    phone: 'absent' | 'given' | 'verified'
    address: 'absent' | 'given' | 'verified'
    powerOfAttorney: boolean
  }
}

/**
 * Reads an exercise's claims: its version, its right under its regime, the person's
 * email (Custodian finds people by it), and the details its right needs. The workspace's
 * direct-marketing purposes are what a `sale:opt-out` objects to.
 */
export function readExercise(
  raw: Record<string, unknown>,
  directMarketingPurposes: readonly string[],
): Exercise {
  if (!claimsValidator.Check(raw)) {
    throw new DrpRefusal(400, 'malformed', reportItem(claimsValidator, raw).detail, true)
  }
  const claims = raw
  if (claims['drp.version'] !== drpVersion) {
    throw new DrpRefusal(400, 'unsupported', `This business speaks DRP ${drpVersion}`, true)
  }
  const regime = claims.regime ?? null
  if (regime !== null && !(supportedRegimes as readonly string[]).includes(regime)) {
    throw new DrpRefusal(400, 'unsupported', 'Unsupported regime: use ccpa, gdpr or none', true)
  }
  const type = typeOf(claims.exercise, regime)
  if (claims.email === undefined) {
    throw new DrpRefusal(
      400,
      'malformed',
      'The email claim is required: it names the person here',
      true,
    )
  }
  const details = detailsOf(claims, type, directMarketingPurposes)
  return {
    exercise: claims.exercise,
    regime,
    type,
    email: claims.email,
    agentRequestId: claims['agent-request-id'] ?? null,
    statusCallback: callbackOf(claims.status_callback),
    details,
    claims: {
      emailVerified: claims.email_verified === true,
      name: claims.name !== undefined,
      phone: attested(claims.phone_number, claims.phone_number_verified),
      address: attested(claims.address, claims.address_verified),
      powerOfAttorney: claims.power_of_attorney !== undefined,
    },
  }
}

function typeOf(exercise: string, regime: string | null): RequestType {
  if (Object.hasOwn(coreExercises, exercise)) {
    return coreExercises[exercise as keyof typeof coreExercises]
  }
  if (Object.hasOwn(gdprExercises, exercise)) {
    if (regime !== 'gdpr') {
      throw new DrpRefusal(
        400,
        'unsupported',
        'This right is in the GDPR profile: send it with regime gdpr',
        true,
      )
    }
    return gdprExercises[exercise as keyof typeof gdprExercises]
  }
  throw new DrpRefusal(400, 'unsupported', 'Unsupported rights actions submitted.', true)
}

function detailsOf(
  claims: ExerciseClaims,
  type: RequestType,
  directMarketingPurposes: readonly string[],
): Exercise['details'] {
  const message = claims['gdpr.message']
  const withMessage = message === undefined ? {} : { message }
  if (claims.exercise === 'sale:opt-out') {
    // A rights objection naming no purpose objects to every purpose it can reach; an
    // opt-out of sale reaches only direct marketing, so it names those, and with none
    // there is nothing it could stop.
    if (directMarketingPurposes.length === 0) {
      throw new DrpRefusal(
        400,
        'unsupported',
        'This business has no direct-marketing processing to opt out of',
      )
    }
    return { ...withMessage, purposes: [...directMarketingPurposes] }
  }
  const changes = claims['gdpr.changes']
  if (type === 'rectification') {
    if (changes === undefined) {
      throw new DrpRefusal(400, 'malformed', 'A rectification needs gdpr.changes', true)
    }
    return { ...withMessage, changes }
  }
  const purposes = claims['gdpr.purposes']
  if (type === 'objection' && purposes !== undefined) return { ...withMessage, purposes }
  return message === undefined ? undefined : withMessage
}

/** The status callback: an absolute http(s) URL without credentials in it. */
function callbackOf(value: string | undefined): URL | null {
  if (value === undefined) return null
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new DrpRefusal(400, 'malformed', 'status_callback is not a URL', true)
  }
  if (!['https:', 'http:'].includes(url.protocol) || url.username !== '' || url.password !== '') {
    throw new DrpRefusal(400, 'malformed', 'status_callback must be an http(s) URL', true)
  }
  return url
}

function attested(value: unknown, verified: boolean | undefined): 'absent' | 'given' | 'verified' {
  if (value === undefined) return 'absent'
  return verified === true ? 'verified' : 'given'
}

/**
 * What the agent vouched for, as the evidence note of the rights request: which claims
 * it made and which it says it verified (§3.04), never their values (only the email,
 * the request's own subject, is kept).
 */
export function evidenceOf(exercise: Exercise, agent: { agentId: string; name: string }): string {
  const { claims } = exercise
  const phrase = (what: string, state: 'absent' | 'given' | 'verified') =>
    state === 'absent'
      ? `${what} not given`
      : `${what} given, ${state === 'verified' ? 'verified by the agent' : 'not verified'}`
  return [
    `Filed through the Data Rights Protocol ${drpVersion} by the authorised agent ${agent.name} (${agent.agentId}), exercise ${exercise.exercise}${exercise.regime === null ? '' : ` under ${exercise.regime}`}.`,
    `Email ${claims.emailVerified ? 'verified by the agent' : 'not verified by the agent'} (email_verified); ${phrase('phone number', claims.phone)}; ${phrase('address', claims.address)}; name ${claims.name ? 'given' : 'not given'}; power of attorney ${claims.powerOfAttorney ? 'referenced' : 'not referenced'}.`,
  ].join(' ')
}
