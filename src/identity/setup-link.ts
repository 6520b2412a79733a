import { AppError } from '../errors.js'
import type { IdentityDeps, RequestContext } from './identity.deps.js'
import { workspaceNamed } from './identity.deps.js'
import { findUsableOperatorToken } from './operators.repository.js'
import { getOperator } from './operators.service.js'
import type { Role } from './permissions.js'
import { hashSecret } from './secrets.js'

/** What the setup page shows before a password is chosen. */
export interface SetupLinkView {
  workspace: { id: string; name: string }
  /** The invited email, masked: `a…e@example.com`. */
  email: string
  role: Role
  expiresAt: string
}

export const unusableSetupLink = 'This setup link is unknown, used or expired'

/**
 * Whether a setup link still works, and for whom, without using it: the setup page asks
 * on load, so an expired or used link says so before anyone types a password.
 *
 * The email is masked. The link's holder may set the password, but a check leaves no
 * trace the invitee would notice (the link stays usable), so it shows only enough for
 * the invitee to recognise their address, not enough to learn it.
 */
export async function checkSetupLink(
  deps: IdentityDeps,
  token: string,
  context: RequestContext = {},
): Promise<SetupLinkView> {
  const nowIso = deps.clock.now().toISOString()
  const row = await findUsableOperatorToken(deps.db, hashSecret(token), nowIso)
  if (row === undefined) throw new AppError('not_found', unusableSetupLink)
  const operator = await getOperator(deps, row.workspace_id, row.operator_id)
  // The email was opened to mask it: a read of personal data, on the record.
  await deps.audit.record({
    workspaceId: row.workspace_id,
    actor: { actorType: 'operator', actorId: row.operator_id },
    action: 'auth.setup_link_checked',
    outcome: 'succeeded',
    resource: { type: 'operator', id: row.operator_id },
    subjectId: row.operator_id,
    ...context,
  })
  const workspace = await workspaceNamed(deps, row.workspace_id)
  return {
    workspace: { id: workspace.id, name: workspace.name },
    email: maskEmail(operator.email),
    role: operator.role,
    expiresAt: row.expires_at,
  }
}

/** `ada.lovelace@example.com` → `a…e@example.com`: the ends of the mailbox and the domain. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  // Whole characters (graphemes), so an accented letter or an emoji is never cut in half.
  const local = Array.from(
    new Intl.Segmenter().segment(email.slice(0, Math.max(at, 0))),
    (part) => part.segment,
  )
  const domain = at >= 0 ? email.slice(at) : ''
  if (local.length <= 2) return `${local[0] ?? ''}…${domain}`
  return `${local[0] ?? ''}…${local[local.length - 1] ?? ''}${domain}`
}
