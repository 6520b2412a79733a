import { createHash, randomBytes } from 'node:crypto'
import {
  listPurposes,
  type Purpose,
  setAutomatedDecisionOptOut,
  setObjection,
  setRestriction,
} from '../consent/index.js'
import { AppError, problemCatalogue } from '../errors.js'
import { toAppError } from '../http/index.js'
import type { ResolvedSubject } from '../personal-data/index.js'
import { eraseSubject, resolveSubject } from '../subjects/index.js'
import { rectifyContact } from './rectify.js'
import { openEnvelope, type RequestEnvelope, subjectNameOf } from './request-envelope.js'
import { deliversExport, type RequestType } from './request-states.logic.js'
import type { RightsDeps } from './rights.deps.js'
import { completedMail, restrictionLiftMail } from './rights.mail.js'
import { activeHolds } from './rights.repository.js'
import {
  audit,
  mailPerson,
  requireRequest,
  type RequestView,
  type RightsCaller,
  type RightsContext,
  transition,
  update,
  viewOf,
} from './rights.service.js'
import type { RightsRequestsTable } from './rights.table.js'
import { tokenHash } from './verification.logic.js'

export interface FulfilInput {
  /** Objection (Art. 21(1)): per purpose, the compelling legitimate grounds that override it. */
  compellingGrounds?: Record<string, string>
}

/** How long an export's download link works (days). */
export const exportLinkDays = 7

interface Fulfilment {
  /** Counts and names only: stored on the request and shown to operators. */
  outcome: Record<string, unknown>
  /** One paragraph for the person's mail. */
  summary: string
  download?: { token: string; expiresAt: string }
}

/**
 * Carries out a verified request through the registry and the consent ledger. A
 * failure stays on the request with its problem (never only in a log) and the same call
 * retries it; the request records what it was decided under: the registry's sources and
 * the purposes' terms at that moment.
 */
export async function fulfilRequest(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  input: FulfilInput = {},
  context: RightsContext = {},
): Promise<RequestView> {
  const current = await requireRequest(deps, caller.workspaceId, id)
  if (current.status === 'received' || current.status === 'verifying') {
    throw new AppError('conflict', "Verify the requester's identity before fulfilling the request")
  }
  if (current.status !== 'in-progress') {
    throw new AppError('conflict', `A request that is ${current.status} cannot be fulfilled`)
  }
  const envelope = await openEnvelope(
    deps.keyring,
    current.workspace_id,
    current.id,
    current.sealed,
  )
  const purposes = await listPurposes(deps.db, current.workspace_id)
  const decidedUnder = JSON.stringify(decisionBasis(deps, purposes))
  let fulfilment: Fulfilment
  try {
    fulfilment = await carryOut(deps, caller, current, envelope, purposes, input, context)
  } catch (error) {
    await recordFailure(deps, caller, current, error, decidedUnder, context)
    throw error
  }
  const now = deps.clock.now().toISOString()
  const row = await transition(deps, caller, current, 'completed', {
    event: 'completed',
    detail: null,
    ...(input.compellingGrounds === undefined || Object.keys(input.compellingGrounds).length === 0
      ? {}
      : {
          note: {
            kind: 'compelling-grounds',
            text: JSON.stringify(input.compellingGrounds),
          },
        }),
    changes: {
      outcome: JSON.stringify(fulfilment.outcome),
      decided_under: decidedUnder,
      failure: null,
      completed_at: now,
      ...(fulfilment.download === undefined
        ? {}
        : {
            export_token_hash: tokenHash(fulfilment.download.token),
            export_expires_at: fulfilment.download.expiresAt,
          }),
    },
  })
  await audit(deps, caller, context, 'rights.request_completed', row, {
    type: row.type,
    outcome:
      typeof fulfilment.outcome['result'] === 'string' ? fulfilment.outcome['result'] : 'done',
  })
  const download = fulfilment.download
  await mailPerson(deps, row, (about) =>
    completedMail(about, {
      summary: fulfilment.summary,
      ...(download === undefined
        ? {}
        : {
            downloadUrl: `${deps.publicUrl()}/v1/rights/exports/${download.token}`,
            expiresAt: download.expiresAt,
          }),
    }),
  )
  return viewOf(row, deps.clock.now())
}

async function carryOut(
  deps: RightsDeps,
  caller: RightsCaller,
  row: RightsRequestsTable,
  envelope: RequestEnvelope,
  purposes: readonly Purpose[],
  input: FulfilInput,
  context: RightsContext,
): Promise<Fulfilment> {
  const type = row.type as RequestType
  const workspaceId = row.workspace_id
  const subject = subjectNameOf(envelope.subject)
  const ledgerContext = {
    source: caller.actor.actorType === 'operator' ? ('operator' as const) : ('api' as const),
    actor: caller.actor,
    requestId: context.requestId ?? null,
  }
  if (deliversExport(type)) {
    const { located } = await resolveSubject(deps.subjects, workspaceId, [subject])
    const rows = Object.fromEntries(
      Object.entries(located).map(([module, found]) => [
        module,
        Object.values(found.rows).reduce((sum, count) => sum + count, 0),
      ]),
    )
    const token = randomBytes(32).toString('base64url')
    const expiresAt = new Date(
      deps.clock.now().getTime() + exportLinkDays * 86_400_000,
    ).toISOString()
    return {
      outcome: { result: 'export-ready', rows, linkExpiresAt: expiresAt },
      summary:
        type === 'access'
          ? 'Your copy holds all the personal data we hold about you, with an explanation of how and why we use it (Art. 15 GDPR).'
          : 'Your copy holds the data you provided to us, in machine-readable JSON and CSV files you can take to another service (Art. 20 GDPR).',
      download: { token, expiresAt },
    }
  }
  switch (type) {
    case 'erasure': {
      const { subject: resolved } = await resolveSubject(deps.subjects, workspaceId, [subject])
      await assertNoHold(deps, resolved)
      const report = await eraseSubject(deps.subjects, {
        workspaceId,
        names: [subject],
        actor: caller.actor,
        ...(context.requestId ? { requestId: context.requestId } : {}),
      })
      const erased: string[] = []
      const retained: string[] = []
      for (const [module, erasure] of Object.entries(report.sources)) {
        const rows = Object.values(erasure.rows).reduce((sum, count) => sum + count, 0)
        if (erasure.outcome === 'erased') {
          if (rows > 0) erased.push(`${module} (${rows} records)`)
        } else {
          retained.push(`${module}: ${erasure.why} (${erasure.bases.join(', ')})`)
        }
      }
      return {
        outcome: { result: 'erased', erasureId: report.erasureId, sources: report.sources },
        summary:
          `We erased your personal data${erased.length > 0 ? `: ${erased.join(', ')}` : ' (we held none besides what is listed below)'}. ` +
          `Your encryption keys were destroyed first, so copies in backups can no longer be read.` +
          (retained.length > 0
            ? `\n\nWe keep, as the law requires or allows (Art. 17(3) GDPR):\n- ${retained.join('\n- ')}`
            : ''),
      }
    }
    case 'restriction': {
      await setRestriction(deps.consent, {
        workspaceId,
        subject,
        context: ledgerContext,
        restricted: true,
      })
      return {
        outcome: { result: 'restricted' },
        summary:
          'Your data is now only stored: we do not otherwise process it unless you consent, or for legal claims or the protection of others (Art. 18(2) GDPR). We will tell you before the restriction is lifted.',
      }
    }
    case 'objection':
      return objectTo(deps, workspaceId, subject, purposes, envelope, input, ledgerContext)
    case 'automated-decision': {
      await setAutomatedDecisionOptOut(deps.consent, {
        workspaceId,
        subject,
        context: ledgerContext,
        optedOut: true,
      })
      return {
        outcome: { result: 'opted-out' },
        summary:
          'No decision about you is made any more by automated means alone, and profiling and enrichment about you have stopped (Art. 22 GDPR).',
      }
    }
    case 'rectification': {
      const changes = envelope.details?.changes
      if (changes === undefined || Object.keys(changes).length === 0) {
        throw new AppError('invalid_request', 'The request names no field to correct')
      }
      const result = await rectifyContact(deps, caller, row, subject, changes, context)
      return {
        outcome: { result: 'rectified', contacts: result.contacts, fields: result.fields },
        summary: `We corrected ${result.fields.join(', ')} in your profile (Art. 16 GDPR).`,
      }
    }
    default:
      throw new AppError('internal', `No fulfilment for ${type}`)
  }
}

/**
 * Art. 21: objection per purpose. Direct marketing always stops (21(2)–(3)); processing
 * on legitimate interests or a public task stops unless the controller records
 * compelling legitimate grounds for that purpose (21(1)).
 */
async function objectTo(
  deps: RightsDeps,
  workspaceId: string,
  subject: { email: string } | { externalId: string },
  purposes: readonly Purpose[],
  envelope: RequestEnvelope,
  input: FulfilInput,
  context: Parameters<typeof setObjection>[1]['context'],
): Promise<Fulfilment> {
  const objectable = (purpose: Purpose) =>
    purpose.directMarketing ||
    purpose.lawfulBasis === 'legitimate-interests' ||
    purpose.lawfulBasis === 'public-task'
  const named = envelope.details?.purposes
  const targets =
    named === undefined || named.length === 0
      ? purposes.filter(objectable)
      : named.map((name) => {
          const purpose = purposes.find((candidate) => candidate.name === name)
          if (purpose === undefined) {
            throw new AppError(
              'invalid_request',
              'The request names a purpose this workspace does not have',
            )
          }
          return purpose
        })
  const grounds = input.compellingGrounds ?? {}
  for (const name of Object.keys(grounds)) {
    const purpose = targets.find((candidate) => candidate.name === name)
    if (purpose === undefined) {
      throw new AppError(
        'invalid_request',
        'Compelling grounds name a purpose the objection does not',
        {
          errors: [
            { in: 'body', field: 'compellingGrounds', message: 'name only objected purposes' },
          ],
        },
      )
    }
    if (purpose.directMarketing) {
      throw new AppError(
        'invalid_request',
        'An objection to direct marketing is always honoured (Art. 21(3)): no grounds override it',
        {
          errors: [{ in: 'body', field: 'compellingGrounds', message: 'not for direct marketing' }],
        },
      )
    }
  }
  const stopped: string[] = []
  const continued: string[] = []
  for (const purpose of targets) {
    if (grounds[purpose.name] !== undefined) {
      continued.push(purpose.name)
      continue
    }
    await setObjection(deps.consent, {
      workspaceId,
      subject,
      context,
      purpose: purpose.name,
      objected: true,
    })
    stopped.push(purpose.name)
  }
  return {
    outcome: { result: 'objected', stopped, continued },
    summary:
      (stopped.length > 0
        ? `We stopped processing your data for: ${stopped.join(', ')}.`
        : 'No processing needed to stop.') +
      (continued.length > 0
        ? ` We continue for ${continued.join(', ')}, on compelling legitimate grounds that we have recorded (Art. 21(1) GDPR); you may ask us for them.`
        : ''),
  }
}

async function assertNoHold(deps: RightsDeps, subject: ResolvedSubject): Promise<void> {
  const holds = await activeHolds(
    deps.db,
    subject.workspaceId,
    subject.identifiers.map((identifier) => identifier.blindIndex),
  )
  const [hold] = holds
  if (hold !== undefined) {
    throw new AppError(
      'conflict',
      `A legal hold (${hold.basis}) blocks erasure of this person; lift it or reject the request under that article`,
    )
  }
}

function decisionBasis(deps: RightsDeps, purposes: readonly Purpose[]) {
  return {
    sources: deps.registry.sources.map((source) => ({
      module: source.module,
      tables: source.tables.map((table) => table.name),
    })),
    purposes: purposes.map((purpose) => ({
      name: purpose.name,
      lawfulBasis: purpose.lawfulBasis,
      termsSha256: createHash('sha256')
        .update(
          JSON.stringify([
            purpose.name,
            purpose.lawfulBasis,
            purpose.description,
            purpose.dataCategories,
            purpose.directMarketing,
            purpose.automatedDecisions,
          ]),
        )
        .digest('hex'),
    })),
  }
}

async function recordFailure(
  deps: RightsDeps,
  caller: RightsCaller,
  current: RightsRequestsTable,
  error: unknown,
  decidedUnder: string,
  context: RightsContext,
): Promise<void> {
  const appError = toAppError(error)
  const problem = {
    code: appError.code,
    status: appError.status,
    title: problemCatalogue[appError.code].title,
    detail: appError.message,
  }
  const failure = {
    ...problem,
    at: deps.clock.now().toISOString(),
    requestId: context.requestId ?? null,
  }
  if (problem.status >= 500)
    deps.logger.error({ err: error, requestId: current.id }, 'fulfilment failed')
  const fresh = await requireRequest(deps, current.workspace_id, current.id)
  await update(deps, caller, fresh, {
    event: 'failed',
    detail: problem.code,
    changes: { failure: JSON.stringify(failure), decided_under: decidedUnder },
  }).catch((updateError: unknown) => {
    deps.logger.error({ err: updateError, requestId: current.id }, 'could not record a failure')
  })
  await audit(deps, caller, context, 'rights.request_failed', current, {
    type: current.type,
    code: problem.code,
  })
}

/**
 * Art. 18(3): the person is told before a restriction is lifted; only then is it lifted.
 */
export async function liftRestriction(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  context: RightsContext = {},
): Promise<RequestView> {
  const current = await requireRequest(deps, caller.workspaceId, id)
  if (current.type !== 'restriction' || current.status !== 'completed') {
    throw new AppError('conflict', 'Only a completed restriction request can be lifted')
  }
  const outcome =
    current.outcome === null ? {} : (JSON.parse(current.outcome) as Record<string, unknown>)
  if (outcome['liftedAt'] !== undefined)
    throw new AppError('conflict', 'The restriction was already lifted')
  const told = await mailPerson(deps, current, (about) => restrictionLiftMail(about))
  if (!told) {
    throw new AppError(
      'conflict',
      'The person could not be told, so the restriction stays (Art. 18(3))',
    )
  }
  const envelope = await openEnvelope(
    deps.keyring,
    current.workspace_id,
    current.id,
    current.sealed,
  )
  await setRestriction(deps.consent, {
    workspaceId: current.workspace_id,
    subject: subjectNameOf(envelope.subject),
    context: {
      source: caller.actor.actorType === 'operator' ? 'operator' : 'api',
      actor: caller.actor,
      requestId: context.requestId ?? null,
    },
    restricted: false,
  })
  const row = await update(deps, caller, current, {
    event: 'restriction-lifted',
    detail: null,
    changes: { outcome: JSON.stringify({ ...outcome, liftedAt: deps.clock.now().toISOString() }) },
  })
  await audit(deps, caller, context, 'rights.restriction_lifted', row, {})
  return viewOf(row, deps.clock.now())
}
