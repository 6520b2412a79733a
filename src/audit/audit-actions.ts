import { consentAuditActions } from '../consent/consent.audit.js'
import { contactsAuditActions } from '../contacts/contacts.audit.js'
import { identityAuditActions } from '../identity/identity.audit.js'
import { trackingAuditActions } from '../tracking/tracking.audit.js'
import { workspacesAuditActions } from '../workspaces/workspaces.audit.js'
import type { AuditActionCatalogue, AuditActionEntry } from './action-catalogue.js'
import { auditLogAuditActions } from './audit.audit.js'
import { subjectsAuditActions } from '../subjects/subjects.audit.js'
import { rightsAuditActions } from '../rights/rights.audit.js'
import { transfersAuditActions } from '../transfers/transfers.audit.js'
import { governanceAuditActions } from '../governance/governance.audit.js'
import { signingAuditActions } from '../signing/signing.audit.js'
import { inboxAuditActions } from '../inbox/inbox.audit.js'
import { drpAuditActions } from '../drp/drp.audit.js'
import { breachAuditActions } from '../breach/breach.audit.js'
import { retentionAuditActions } from '../retention/retention.audit.js'

/**
 * Every action the instance writes to its audit log, by module: each module's own
 * catalogue, one line each (a new module's joins here, as its tables join
 * storage/schema.ts). The log takes no other action, so the breach rules and operators'
 * filters match on a closed set, and a typo fails the type check.
 */
export const auditCatalogues = {
  identity: identityAuditActions,
  workspaces: workspacesAuditActions,
  contacts: contactsAuditActions,
  consent: consentAuditActions,
  tracking: trackingAuditActions,
  audit: auditLogAuditActions,
  subjects: subjectsAuditActions,
  rights: rightsAuditActions,
  transfers: transfersAuditActions,
  governance: governanceAuditActions,
  signing: signingAuditActions,
  inbox: inboxAuditActions,
  drp: drpAuditActions,
  breach: breachAuditActions,
  retention: retentionAuditActions,
} as const satisfies Readonly<Record<string, AuditActionCatalogue>>

type Catalogues = typeof auditCatalogues

/** An action of some module's catalogue, such as `contact.read` or `auth.login_failed`. */
export type AuditAction = {
  [M in keyof Catalogues]: keyof Catalogues[M] & string
}[keyof Catalogues]

/** One action with the module that writes it, as listed for operators. */
export interface CataloguedAction extends AuditActionEntry {
  readonly action: string
  readonly module: string
}

/**
 * The catalogues as one list, refusing a name that two modules claim: its entries
 * could not be told apart, by an operator or by a breach rule.
 */
export function joinCatalogues(
  catalogues: Readonly<Record<string, AuditActionCatalogue>>,
): ReadonlyMap<string, CataloguedAction> {
  const byAction = new Map<string, CataloguedAction>()
  for (const [module, catalogue] of Object.entries(catalogues)) {
    for (const [action, entry] of Object.entries(catalogue)) {
      const claimed = byAction.get(action)
      if (claimed !== undefined) {
        throw new Error(`Audit action ${action} is in both ${claimed.module} and ${module}`)
      }
      byAction.set(action, { action, module, ...entry })
    }
  }
  return byAction
}

const catalogued = joinCatalogues(auditCatalogues)

/** One action's catalogue entry and module, or undefined for a name outside it. */
export function catalogueEntryOf(action: string): CataloguedAction | undefined {
  return catalogued.get(action)
}

export function isAuditAction(value: string): value is AuditAction {
  return catalogued.has(value)
}

/** Every action, in catalogue order: the `action` filter of `GET /v1/audit` offers these. */
export const auditActions: readonly AuditAction[] = Object.freeze(
  [...catalogued.keys()].filter(isAuditAction),
)
