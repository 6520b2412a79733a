import { AppError } from '../errors.js'
import { selectPurpose } from './catalogue.repository.js'
import type { ConsentDeps, LedgerContext } from './consent.deps.js'
import { ageNow, wholeYearsBetween } from './consent.logic.js'
import type { SubjectRef } from '../subjects/index.js'
import type { LedgerAction, LedgerEntry, Standing } from './ledger.logic.js'
import { appendToLedger, type LedgerWriteResult } from './ledger.service.js'
import { purposeTermsOf, resolvePurpose } from './purposes.logic.js'

/**
 * Entries that are not a choice about one purpose: restriction, objection, the
 * automated-decision opt-out, Global Privacy Control, age and parental consent. The
 * rights module calls these for data subject requests; the capture module calls
 * `recordGpcSignal` when an event arrives with the signal. A signal that changes
 * nothing appends nothing.
 */
interface SignalInput {
  workspaceId: string
  subject: SubjectRef
  context: LedgerContext
}

const subjectEntry = (action: LedgerAction, gpc = false): LedgerEntry => ({
  action,
  purpose: null,
  policy: null,
  gpc,
  evidence: null,
})

/** Art. 18: while restricted, data is only stored (unless the person consents anew). */
export async function setRestriction(
  deps: ConsentDeps,
  input: SignalInput & { restricted: boolean },
): Promise<LedgerWriteResult> {
  return appendToLedger(deps, {
    ...input,
    plan: async (_trx, current) => {
      const isRestricted = current.flags.restrictedAt !== null
      if (isRestricted === input.restricted) return []
      return [subjectEntry(input.restricted ? 'restricted' : 'restriction_lifted')]
    },
  })
}

/** Art. 22: the person does not want decisions about them made automatically. */
export async function setAutomatedDecisionOptOut(
  deps: ConsentDeps,
  input: SignalInput & { optedOut: boolean },
): Promise<LedgerWriteResult> {
  return appendToLedger(deps, {
    ...input,
    plan: async (_trx, current) => {
      const optedOut = current.flags.automatedOptOutAt !== null
      if (optedOut === input.optedOut) return []
      return [subjectEntry(input.optedOut ? 'automated_opted_out' : 'automated_opted_in')]
    },
  })
}

/** Art. 21: an objection to one purpose, or its withdrawal. */
export async function setObjection(
  deps: ConsentDeps,
  input: SignalInput & { purpose: string; objected: boolean },
): Promise<LedgerWriteResult> {
  return appendToLedger(deps, {
    ...input,
    plan: async (trx, current) => {
      const stored = await selectPurpose(trx, input.workspaceId, input.purpose)
      const purpose = resolvePurpose(input.purpose, stored)
      if (purpose === undefined) {
        throw new AppError('invalid_request', `No purpose ${input.purpose} in this workspace`)
      }
      const objected = (current.purposes.get(input.purpose)?.objectedAt ?? null) !== null
      if (objected === input.objected) return []
      return [
        {
          action: input.objected ? 'objected' : 'objection_withdrawn',
          purpose: input.purpose,
          policy: null,
          gpc: false,
          evidence: null,
          terms: purposeTermsOf(purpose),
        },
      ]
    },
  })
}

/**
 * A Global Privacy Control signal: on, it is recorded as an objection to every
 * direct-marketing purpose (marketing and profiling for it, Art. 21(2)–(3)); off (the
 * browser says so explicitly) it ends. Unknown (undefined) changes nothing: a request
 * without the header says nothing about the person's wish.
 */
export async function recordGpcSignal(
  deps: ConsentDeps,
  input: SignalInput & { signal: boolean },
): Promise<LedgerWriteResult> {
  return appendToLedger(deps, {
    ...input,
    plan: async (_trx, current) => gpcEntries(current, input.signal),
  })
}

export function gpcEntries(current: Standing, signal: boolean | undefined): LedgerEntry[] {
  if (signal === undefined) return []
  const on = current.flags.gpcAt !== null
  if (signal && !on) return [subjectEntry('gpc_on', true)]
  if (!signal && on) return [subjectEntry('gpc_off')]
  return []
}

/** An age as the person declared it: whole years, or a birth date (YYYY-MM-DD). */
export type AgeDeclaration = { age: number } | { birthDate: string }

const maxAge = 130

/**
 * Art. 8: records the age a person declared. Only the whole years and when they were
 * declared are kept in clear (for the decision); the declaration as given, a birth date
 * included, is sealed in the ledger. Through the SDK a person may declare themselves
 * younger but not older than before: otherwise a child refused once would only have to
 * answer again. Raising a declared age takes the controller (secret key or operator).
 */
export async function declareAge(
  deps: ConsentDeps,
  input: SignalInput & { declaration: AgeDeclaration },
): Promise<LedgerWriteResult> {
  const now = deps.clock.now()
  const declaredAge = yearsOf(input.declaration, now)
  return appendToLedger(deps, {
    ...input,
    plan: async (_trx, current) => {
      const { declaredAge: previous, ageDeclaredAt } = current.flags
      if (input.context.source === 'sdk' && previous !== null && ageDeclaredAt !== null) {
        if (declaredAge > ageNow(previous, new Date(ageDeclaredAt), now)) {
          throw new AppError(
            'conflict',
            'A declared age can only be raised by the controller, not through the SDK',
          )
        }
      }
      return [
        {
          action: 'age_declared',
          purpose: null,
          policy: null,
          gpc: false,
          evidence: { ...input.declaration },
          declaredAge,
        },
      ]
    },
  })
}

function yearsOf(declaration: AgeDeclaration, now: Date): number {
  if ('age' in declaration) {
    if (!Number.isInteger(declaration.age) || declaration.age < 0 || declaration.age > maxAge) {
      throw new AppError('invalid_request', `An age is a whole number from 0 to ${maxAge}`)
    }
    return declaration.age
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(declaration.birthDate)
  const born = new Date(`${declaration.birthDate}T00:00:00Z`)
  if (
    match === null ||
    Number.isNaN(born.getTime()) ||
    born.toISOString().slice(0, 10) !== declaration.birthDate ||
    born > now
  ) {
    throw new AppError('invalid_request', 'A birth date is a past date written YYYY-MM-DD')
  }
  const years = wholeYearsBetween(born, now)
  if (years > maxAge) throw new AppError('invalid_request', 'That birth date is too far back')
  return years
}

/** How a parent's consent was verified (Art. 8(2): reasonable efforts). */
export const parentalVerificationMethods = [
  'email-confirmation',
  'payment-card',
  'identity-document',
  'signed-form',
  'video-call',
  'other',
] as const
export type ParentalVerificationMethod = (typeof parentalVerificationMethods)[number]

/**
 * Art. 8(1)–(2): the holder of parental responsibility gave or authorised consent, as
 * verified by the controller (never by the browser SDK: a child could claim it). The
 * method and the controller's reference are sealed evidence.
 */
export async function recordParentalConsent(
  deps: ConsentDeps,
  input: SignalInput & {
    verified: boolean
    method?: ParentalVerificationMethod
    reference?: string
  },
): Promise<LedgerWriteResult> {
  if (input.context.source === 'sdk') {
    throw new AppError('forbidden', 'Parental consent is recorded by the controller, not the SDK')
  }
  if (input.verified && input.method === undefined) {
    throw new AppError('invalid_request', 'Say how the parental consent was verified', {
      errors: [{ in: 'body', field: 'method', message: 'is required when verified is true' }],
    })
  }
  return appendToLedger(deps, {
    ...input,
    plan: async () => [
      {
        action: input.verified ? 'parental_verified' : 'parental_withdrawn',
        purpose: null,
        policy: null,
        gpc: false,
        evidence: {
          method: input.method ?? null,
          reference: input.reference ?? null,
        },
      },
    ],
  })
}
