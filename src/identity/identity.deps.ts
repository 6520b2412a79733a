import type { AuditLog } from '../audit/index.js'
import { AppError } from '../errors.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { Database } from '../storage/index.js'
import type { HashSlots } from './hash-slots.js'
import type { ScryptCost } from './passwords.js'

/** Where identity records security events: the audit log, or anything with its `record`. */
export type AuditSink = Pick<AuditLog, 'record'>

/**
 * The audit log as identity uses it: `recordSoon` for refused sign-ins, whose answer
 * must not wait for a disk sync that a miss would not wait for (no timing difference
 * between an unknown account and a wrong password).
 */
export type IdentityAudit = Pick<AuditLog, 'record' | 'recordSoon'>

/**
 * What identity knows of workspaces: their names, for sign-in and setup links. Given by
 * the composition root, because identity must not import the workspaces module, whose
 * routes import identity (an import cycle).
 */
export interface WorkspaceDirectory {
  find(workspaceId: string): Promise<{ id: string; name: string } | undefined>
}

/** What the identity services need, passed in by the composition root. */
export interface IdentityDeps {
  db: Database
  keyring: Keyring
  audit: IdentityAudit
  clock: Clock
  workspaces: WorkspaceDirectory
  /** Base URL people open, for setup links. */
  publicUrl: () => string
  passwordCost?: ScryptCost
  /** Bounds concurrent password hashes; the process's own slots when absent. */
  hashSlots?: HashSlots
  policy?: Partial<SessionPolicy>
}

export interface SessionPolicy {
  /** A session unused this long ends (minutes). */
  idleMinutes: number
  /** A session ends this long after sign-in, used or not (hours). */
  absoluteHours: number
  /** Failed sign-ins to an account before it locks. */
  maxFailuresPerAccount: number
  /** Failed sign-ins from one address, per window, before it is refused. */
  maxFailuresPerAddress: number
  /** Lockout and counting window (minutes). */
  lockoutMinutes: number
  /**
   * How long a sign-in attempt's reservation holds its place when nobody settles it
   * (a process died mid-check), in seconds: far longer than a hash and its queue.
   */
  reservationSeconds: number
  /** How long a setup link works (hours). */
  setupLinkHours: number
}

export const defaultSessionPolicy: SessionPolicy = Object.freeze({
  idleMinutes: 30,
  absoluteHours: 12,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 20,
  lockoutMinutes: 15,
  reservationSeconds: 120,
  setupLinkHours: 72,
})

export function policyOf(deps: Pick<IdentityDeps, 'policy'>): SessionPolicy {
  return { ...defaultSessionPolicy, ...deps.policy }
}

/** Context of the HTTP request a use case runs for, for the audit trail. */
export interface RequestContext {
  ip?: string | null
  requestId?: string | null
}

/** The workspace a stored row names; a row outliving its workspace is a 404, never a 500. */
export async function workspaceNamed(
  deps: Pick<IdentityDeps, 'workspaces'>,
  workspaceId: string,
): Promise<{ id: string; name: string }> {
  const workspace = await deps.workspaces.find(workspaceId)
  if (workspace === undefined) throw new AppError('not_found', 'No such workspace')
  return workspace
}
