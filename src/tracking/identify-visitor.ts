import { linkIdentifiers, type LedgerContext } from '../consent/index.js'
import type { SubjectIdentifier } from '../subjects/index.js'
import { findContactIdByExternalId } from '../contacts/index.js'
import { createContact } from '../contacts/index.js'
import { isEmailAddress } from '../email/index.js'
import { isAppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import type { TrackingDeps } from './tracking.deps.js'

export interface Identification {
  workspaceId: string
  anonymousId: string | undefined
  externalId: string
  traits: Record<string, unknown> | undefined
  actor: Actor
  context: LedgerContext
}

/**
 * identify: the anonymous visitor is this contact from now on. The two identifiers are
 * linked into one subject (the subjects module's `linkSubjects`, through consent's
 * `linkIdentifiers`, which carries the visitor's consents and history over); the contact
 * is found by its external id, or made from the traits that name it, sealed under that
 * same subject: one person, one key holder. Returns the subject whose key seals the
 * identify event. The contact's last activity moves when the event commits, as every
 * event's does (group-commit.ts), not here in a write of its own.
 */
export async function identifyVisitor(deps: TrackingDeps, input: Identification): Promise<string> {
  const identifiers: SubjectIdentifier[] = [{ externalId: input.externalId }]
  if (input.anonymousId !== undefined) identifiers.unshift({ anonymousId: input.anonymousId })
  const linked = await linkIdentifiers(deps, {
    workspaceId: input.workspaceId,
    identifiers,
    context: input.context,
  })
  await findOrCreateContact(deps, input)
  return linked.subjectId
}

async function findOrCreateContact(deps: TrackingDeps, input: Identification): Promise<string> {
  const who = { workspaceId: input.workspaceId, actor: input.actor }
  const context = { requestId: input.context.requestId ?? null, ip: input.context.callerIp ?? null }
  const found = await findContactIdByExternalId(deps, input.workspaceId, input.externalId)
  if (found !== undefined) return found
  const email = traitString(input.traits, 'email', 320)
  const name = traitString(input.traits, 'name', 300)
  const profile = {
    externalId: input.externalId,
    ...(email !== undefined && isEmailAddress(email) ? { email } : {}),
    ...(name !== undefined ? { name } : {}),
  }
  try {
    return (await createContact(deps, { ...who, ...profile }, context)).id
  } catch (error) {
    if (!isAppError(error) || error.code !== 'conflict') throw error
    // Another request made this contact meanwhile, or its email belongs to another
    // contact: find it again, or make it without the email that collided.
    const made = await findContactIdByExternalId(deps, input.workspaceId, input.externalId)
    if (made !== undefined) return made
    return (await createContact(deps, { ...who, externalId: input.externalId }, context)).id
  }
}

function traitString(
  traits: Record<string, unknown> | undefined,
  key: string,
  maxLength: number,
): string | undefined {
  const value = traits?.[key]
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  return trimmed === '' || trimmed.length > maxLength ? undefined : trimmed
}
