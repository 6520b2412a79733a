import type { Keyring, KeyAccess } from '../crypto/index.js'
import type { JsonValue } from '../crypto/index.js'

/** How a request names its person: exactly one identifier, as given. */
export type RequestSubject = { email: string } | { externalId: string }

/** What a request type asks beyond the right itself. */
export interface RequestDetails {
  /** The person's own words, if any. */
  message?: string
  /** Rectification (Art. 16): the profile fields to correct. */
  changes?: {
    name?: string | null
    email?: string | null
    attributes?: Record<string, string | number | boolean | null>
  }
  /** Objection (Art. 21): the purposes objected to; none named means every purpose it can reach. */
  purposes?: string[]
}

export type NoteKind =
  | 'verification'
  | 'rejection'
  | 'extension'
  | 'withdrawal'
  | 'compelling-grounds'
  | 'backdating'
  /** What a filer vouched for about the person (an authorised agent's identity claims). */
  | 'evidence'

/** Free text an operator recorded: may name the person, so it is sealed with the rest. */
export interface Note {
  at: string
  kind: NoteKind
  text: string
}

/**
 * Everything about a request that may name or describe the person, in one envelope
 * sealed under the request's own key. Kept as proof of the answer (Art. 5(2)) when the
 * person is erased; governed by the request's own retention.
 */
export interface RequestEnvelope {
  subject: RequestSubject
  /** Where answers go: the email named, or the contact's email when an external id named them. */
  replyTo: string | null
  details: RequestDetails | null
  notes: Note[]
}

export const envelopeCell = (workspaceId: string, requestId: string) =>
  ({
    workspaceId,
    subjectId: requestId,
    table: 'rights_requests',
    column: 'sealed',
    rowId: requestId,
  }) as const

export async function sealEnvelope(
  keyring: Keyring,
  workspaceId: string,
  requestId: string,
  envelope: RequestEnvelope,
  access?: KeyAccess,
): Promise<Buffer> {
  return keyring.sealJson(
    envelopeCell(workspaceId, requestId),
    envelope as unknown as JsonValue,
    access,
  )
}

export async function openEnvelope(
  keyring: Keyring,
  workspaceId: string,
  requestId: string,
  sealed: Uint8Array,
  access?: KeyAccess,
): Promise<RequestEnvelope> {
  return (await keyring.openJson(
    envelopeCell(workspaceId, requestId),
    sealed,
    access,
  )) as unknown as RequestEnvelope
}

export function subjectNameOf(subject: RequestSubject): RequestSubject {
  return 'email' in subject ? { email: subject.email } : { externalId: subject.externalId }
}
