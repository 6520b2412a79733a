import { createHash } from 'node:crypto'
import { AppError } from '../errors.js'
import type { RequestContext } from '../identity/index.js'
import type { Actor } from '../identity/index.js'
import { newId } from '../ids.js'
import { scrubText } from '../logger.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import {
  insertPolicy,
  selectLatestPolicy,
  selectPolicies,
  selectPolicyByVersion,
  selectPurpose,
  upsertPurpose,
} from './catalogue.repository.js'
import type { ConsentDeps } from './consent.deps.js'
import type { ConsentPoliciesTable } from './consent.table.js'
import type { PolicyRef } from './ledger.logic.js'
import { parseStringArray, purposeToRow, resolvePurpose } from './purposes.logic.js'

// Listed in the publication's audit entry, whose detail lists hold at most 32 items.
const maxReconsentPurposes = 32

/** A published version of the privacy notice end-users agree to. */
export interface Policy {
  id: string
  seq: number
  version: string
  url: string
  /** The notice as shown, when it was given: kept so the version proves what was read. */
  text: string | null
  /** SHA-256 of the text, when the text was given: what a receipt can prove was shown. */
  textSha256: string | null
  /** Purposes this version asked consent for again: earlier consents to them stopped counting. */
  reconsentPurposes: string[]
  publishedAt: string
}

export async function listPolicies(db: Database, workspaceId: string): Promise<Policy[]> {
  return (await selectPolicies(db, workspaceId)).map(toPolicy)
}

/**
 * Publishes a new version. With `reconsentPurposes`, consents to those purposes given
 * under any earlier version no longer count (the decision answers `consent_outdated`)
 * until the end-user agrees again: consent must be informed (Art. 4(11)), and a notice
 * that changed what a purpose does was not what they agreed to.
 */
export async function publishPolicy(
  deps: ConsentDeps,
  input: {
    workspaceId: string
    version: string
    url: string
    text?: string
    reconsentPurposes?: string[]
    actor: Actor
  },
  context: RequestContext = {},
): Promise<Policy> {
  // The label goes into audit details, which refuse anything shaped like an address.
  if (scrubText(input.version) !== input.version) {
    throw new AppError(
      'invalid_request',
      'A policy version must not look like an email or IP address',
      {
        errors: [{ in: 'body', field: 'version', message: 'looks like an address' }],
      },
    )
  }
  const now = deps.clock.now()
  const at = now.toISOString()
  const reconsent = [...new Set(input.reconsentPurposes ?? [])].sort()
  if (reconsent.length > maxReconsentPurposes) {
    throw new AppError(
      'invalid_request',
      `A version can ask again for at most ${maxReconsentPurposes} purposes`,
    )
  }
  const policy = await inWriteTransaction(deps.db, async (trx) => {
    if ((await selectPolicyByVersion(trx, input.workspaceId, input.version)) !== undefined) {
      throw new AppError('conflict', `Policy version ${input.version} is already published`)
    }
    const seq = ((await selectLatestPolicy(trx, input.workspaceId))?.seq ?? 0) + 1
    const row: ConsentPoliciesTable = {
      id: newId(now),
      workspace_id: input.workspaceId,
      seq,
      version: input.version,
      url: input.url,
      text: input.text ?? null,
      text_sha256:
        input.text === undefined
          ? null
          : createHash('sha256').update(input.text, 'utf8').digest('hex'),
      reconsent_purposes: JSON.stringify(reconsent),
      published_at: at,
    }
    if (!(await insertPolicy(trx, row))) {
      throw new AppError('conflict', 'Another policy version was published at the same time; retry')
    }
    await requireConsentAgain(trx, input.workspaceId, reconsent, seq, at)
    return toPolicy(row)
  })
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'consent.policy_published',
    resource: { type: 'consent_policy', id: policy.id },
    outcome: 'succeeded',
    details: { version: policy.version, seq: policy.seq, reconsentPurposes: reconsent },
    ...context,
  })
  return policy
}

async function requireConsentAgain(
  trx: Database,
  workspaceId: string,
  names: readonly string[],
  seq: number,
  at: string,
): Promise<void> {
  for (const name of names) {
    const stored = await selectPurpose(trx, workspaceId, name)
    const purpose = resolvePurpose(name, stored)
    if (purpose === undefined) {
      throw new AppError('invalid_request', `No purpose ${name} to ask consent for again`, {
        errors: [{ in: 'body', field: 'reconsentPurposes', message: `unknown purpose ${name}` }],
      })
    }
    if (purpose.lawfulBasis !== 'consent') {
      throw new AppError('invalid_request', `The purpose ${name} does not rest on consent`, {
        errors: [
          { in: 'body', field: 'reconsentPurposes', message: `${name} is not consent-based` },
        ],
      })
    }
    await upsertPurpose(
      trx,
      purposeToRow(workspaceId, { ...purpose, minPolicySeq: seq }, stored?.created_at ?? at, at),
    )
  }
}

/**
 * The policy a consent is given under: the version named, else the latest; null when
 * the workspace has published none. Unknown versions are refused for a grant.
 */
export async function policyForGrant(
  trx: Database,
  workspaceId: string,
  version: string | undefined,
): Promise<PolicyRef | null> {
  if (version === undefined) return refOf(await selectLatestPolicy(trx, workspaceId))
  const row = await selectPolicyByVersion(trx, workspaceId, version)
  if (row === undefined) {
    throw new AppError('invalid_request', `No policy version ${version} is published`, {
      errors: [{ in: 'body', field: 'policyVersion', message: 'is not a published version' }],
    })
  }
  return refOf(row)
}

/**
 * The policy a withdrawal or objection is recorded under. Never refuses: a withdrawal
 * must be as easy as the grant (Art. 7(3)), so an unknown version is not a reason to
 * lose it; the latest version is recorded instead.
 */
export async function policyForWithdrawal(
  trx: Database,
  workspaceId: string,
  version: string | undefined,
): Promise<PolicyRef | null> {
  const named =
    version === undefined ? undefined : await selectPolicyByVersion(trx, workspaceId, version)
  return refOf(named ?? (await selectLatestPolicy(trx, workspaceId)))
}

function refOf(row: ConsentPoliciesTable | undefined): PolicyRef | null {
  return row === undefined ? null : { id: row.id, seq: row.seq, version: row.version }
}

export function toPolicy(row: ConsentPoliciesTable): Policy {
  return {
    id: row.id,
    seq: row.seq,
    version: row.version,
    url: row.url,
    text: row.text,
    textSha256: row.text_sha256,
    reconsentPurposes: parseStringArray(row.reconsent_purposes),
    publishedAt: row.published_at,
  }
}
