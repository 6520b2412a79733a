import type { AuditEvent } from '../audit/index.js'
import { AppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import { selectPurpose } from './catalogue.repository.js'
import type { ConsentDeps, ConsentWorkspace } from './consent.deps.js'
import { consentSettings } from './consent.settings.js'
import {
  type AllowReason,
  decide,
  type DenyReason,
  type LawfulBasis,
  type PurposeRule,
} from './consent.logic.js'
import {
  type DecisionRow,
  selectDecisionRow,
  type SingleDecisionRow,
  selectDecisionRowsByIndexes,
  selectDecisionRowsBySubjects,
} from './decision.repository.js'
import { decisionStateOf, flagsOf } from './ledger.rows.js'
import { identifierValueOf, isSubjectId, type SubjectRef } from '../subjects/index.js'
import {
  builtInPurpose,
  builtInPurposeNames,
  purposeNamePattern,
  resolvePurpose,
  ruleOf,
} from './purposes.logic.js'

export interface MayProcessRequest {
  workspace: ConsentWorkspace
  subject: SubjectRef
  purpose: string
  now: Date
  /** Who asks, for the audit entry of a refusal; the system by default. */
  actor?: Actor
  requestId?: string | null
}

export interface ConsentDecision {
  allowed: boolean
  reason: AllowReason | DenyReason
  purpose: string
  lawfulBasis: LawfulBasis | null
  /** The consent subject, when the ledger knows it. */
  subjectId: string | null
}

const systemActor: Actor = Object.freeze({ actorType: 'system', actorId: null })
const purposeName = new RegExp(purposeNamePattern)

/**
 * May purpose P process subject S now? The one question every processing step asks
 * (DESIGN principle 3). It reads the materialised state — one statement of primary-key
 * joins, however long the subject's history — and never the ledger. Every refusal is
 * audited as `consent.denied`: queued before the answer is returned and committed with
 * the next group commit, within milliseconds. A refusal is the safe answer, so it does
 * not wait for a disk sync (which would cost a lone caller a millisecond per refusal);
 * a read of the log flushes the queue first, and shutdown drains it.
 *
 * @example
 *   const decision = await mayProcess(deps, {
 *     workspace, subject: { anonymousId }, purpose: 'analytics', now: clock.now(),
 *   })
 *   if (!decision.allowed) return // dropped: decision.reason says why, the log has it
 */
export async function mayProcess(
  deps: ConsentDeps,
  request: MayProcessRequest,
): Promise<ConsentDecision> {
  checkPurposeName(request.purpose)
  const workspaceId = request.workspace.id
  const row = isSubjectId(request.subject)
    ? await selectDecisionRow(deps.db, workspaceId, request.purpose, {
        subjectId: request.subject.subjectId,
      })
    : await selectDecisionRow(deps.db, workspaceId, request.purpose, {
        blindIndex: await blindIndexOf(deps, workspaceId, request.subject),
      })
  const rule =
    row.purpose_basis === null ? ruleOfBuiltIn(request.purpose) : ruleOfRow(request.purpose, row)
  const { ageOfDigitalConsent } = consentSettings.read(request.workspace.settings)
  const decision = decisionOf(request, ageOfDigitalConsent, rule, row)
  if (!decision.allowed) await deps.audit.recordSoon([deniedEvent(request, decision)])
  return decision
}

/** `mayProcess`, throwing `consent_denied` (403) on a refusal; for code that must stop. */
export async function assertMayProcess(
  deps: ConsentDeps,
  request: MayProcessRequest,
): Promise<ConsentDecision> {
  const decision = await mayProcess(deps, request)
  if (!decision.allowed) {
    throw new AppError(
      'consent_denied',
      `Processing for ${decision.purpose} is refused: ${decision.reason}`,
    )
  }
  return decision
}

/**
 * The same question for many subjects and one purpose, as a batch of events asks it:
 * one statement per 500 subjects instead of one per subject. Answers come in the order
 * of `subjects`; refusals are queued for the audit log together.
 */
export async function mayProcessMany(
  deps: ConsentDeps,
  request: Omit<MayProcessRequest, 'subject'> & { subjects: readonly SubjectRef[] },
): Promise<ConsentDecision[]> {
  checkPurposeName(request.purpose)
  const workspaceId = request.workspace.id
  const purpose = resolvePurpose(
    request.purpose,
    await selectPurpose(deps.db, workspaceId, request.purpose),
  )
  const rule = purpose === undefined ? undefined : ruleOf(purpose)
  const rows = await rowsFor(deps, workspaceId, request.purpose, request.subjects)
  const { ageOfDigitalConsent } = consentSettings.read(request.workspace.settings)
  const decisions = rows.map((row) => decisionOf(request, ageOfDigitalConsent, rule, row))
  const denied = decisions.filter((decision) => !decision.allowed)
  if (denied.length > 0) {
    await deps.audit.recordSoon(denied.map((decision) => deniedEvent(request, decision)))
  }
  return decisions
}

async function rowsFor(
  deps: ConsentDeps,
  workspaceId: string,
  purpose: string,
  subjects: readonly SubjectRef[],
): Promise<(DecisionRow | undefined)[]> {
  const subjectIds = subjects.filter(isSubjectId).map((ref) => ref.subjectId)
  const byId = new Map(
    subjectIds.length === 0
      ? []
      : (await selectDecisionRowsBySubjects(deps.db, workspaceId, purpose, subjectIds)).map(
          (row) => [row.requested_id, row],
        ),
  )
  const indexer = await deps.keyring.indexerFor(workspaceId)
  // Digests keyed as latin1 text: one byte per character, no hex round trip.
  const keys = subjects.map((ref) => {
    if (isSubjectId(ref)) return null
    const { kind, value } = identifierValueOf(ref)
    return indexer.index(kind, value).toString('latin1')
  })
  const indexes = [...new Set(keys.filter((key) => key !== null))].map((key) =>
    Buffer.from(key, 'latin1'),
  )
  const byIndex = new Map(
    (await selectDecisionRowsByIndexes(deps.db, workspaceId, purpose, indexes)).map((row) => [
      row.blind_index?.toString('latin1'),
      row,
    ]),
  )
  return subjects.map((ref, position) =>
    isSubjectId(ref) ? byId.get(ref.subjectId) : byIndex.get(keys[position] ?? undefined),
  )
}

function decisionOf(
  request: Omit<MayProcessRequest, 'subject'>,
  ageOfDigitalConsent: number,
  rule: PurposeRule | undefined,
  row: DecisionRow | undefined,
): ConsentDecision {
  const known = row !== undefined && row.subject_id !== null ? row : undefined
  const decision = decide({
    purpose: rule,
    subject: known === undefined ? null : flagsOf(known),
    state: known === undefined ? null : decisionStateOf(known.purpose_state),
    ageOfDigitalConsent,
    now: request.now,
  })
  return {
    allowed: decision.allowed,
    reason: decision.reason,
    purpose: request.purpose,
    lawfulBasis: rule?.lawfulBasis ?? null,
    subjectId: row?.subject_id ?? null,
  }
}

// Built-in purposes' rules, made once: every decision on an unchanged built-in needs one.
const builtInRules: ReadonlyMap<string, PurposeRule> = new Map(
  builtInPurposeNames.flatMap((name) => {
    const purpose = builtInPurpose(name)
    return purpose === undefined ? [] : [[name, Object.freeze(ruleOf(purpose))] as const]
  }),
)

function ruleOfBuiltIn(name: string): PurposeRule | undefined {
  return builtInRules.get(name)
}

function ruleOfRow(name: string, row: SingleDecisionRow): PurposeRule {
  return {
    name,
    // Written only from a checked LawfulBasis (purposes.logic.ts).
    lawfulBasis: row.purpose_basis as LawfulBasis,
    directMarketing: row.purpose_direct_marketing === 1,
    automatedDecisions: row.purpose_automated_decisions === 1,
    minPolicySeq: row.purpose_min_policy_seq ?? 0,
  }
}

async function blindIndexOf(
  deps: ConsentDeps,
  workspaceId: string,
  subject: Exclude<SubjectRef, { subjectId: string }>,
): Promise<Buffer> {
  const { kind, value } = identifierValueOf(subject)
  return deps.keyring.blindIndex(workspaceId, kind, value)
}

function checkPurposeName(name: string): void {
  if (!purposeName.test(name)) {
    throw new AppError('invalid_request', 'A purpose name is lower-case letters, digits, _ and -')
  }
}

function deniedEvent(
  request: Omit<MayProcessRequest, 'subject'>,
  decision: ConsentDecision,
): AuditEvent {
  return {
    workspaceId: request.workspace.id,
    actor: request.actor ?? systemActor,
    action: 'consent.denied',
    resource: { type: 'consent_subject', id: decision.subjectId },
    subjectId: decision.subjectId,
    purpose: decision.purpose,
    outcome: 'denied',
    requestId: request.requestId ?? null,
    details: {
      reason: decision.reason,
      ...(decision.lawfulBasis ? { lawfulBasis: decision.lawfulBasis } : {}),
    },
  }
}
