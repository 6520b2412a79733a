import type { AuditActionCatalogue } from '../audit/index.js'

/**
 * What the Data Rights Protocol door writes to the audit log: agents registered and
 * removed, pair-wise tokens issued, every request refused (with why), every exercise
 * and revocation taken, every results link handed out and every status callback. The
 * namespaces are `drp_agent`, `drp_request` and `drp_callback`, so the protocol's own
 * dotted claim names (`drp.version`) are never mistaken for actions. Details are ids,
 * states and reasons, never the person's data.
 */
export const drpAuditActions = {
  'drp_agent.registered': {
    when: 'An authorised agent and its verify key were registered for the workspace',
    details: ['agentId'],
  },
  'drp_agent.removed': {
    when: 'An authorised agent was removed: its token and key stop working',
    details: ['agentId'],
  },
  'drp_agent.token_issued': {
    when: 'An agent set up its pair-wise token with a signed request (the old one stops)',
    details: ['agentId'],
  },
  'drp_request.refused': {
    when: 'A Data Rights Protocol call was refused: bad token, signature, claims or a replay',
    details: ['endpoint', 'why', 'status', 'agentId'],
  },
  'drp_request.received': {
    when: 'An agent filed an exercise; it became a rights request of the matching type',
    details: ['exercise', 'regime', 'type', 'verifiedByAgent'],
  },
  'drp_request.revoked': {
    when: 'An agent revoked an exercise on the person’s behalf; the request was withdrawn',
    details: ['exercise'],
  },
  'drp_request.results_link_issued': {
    when: "An agent was given its own link to a fulfilled request's export",
    details: ['agentId', 'exercise', 'expiresAt'],
  },
  'drp_callback.delivered': {
    when: "A request's status was delivered to the agent's status callback",
    details: ['status', 'attempt'],
  },
  'drp_callback.failed': {
    when: 'A status callback failed or was refused by the transfer guard',
    details: ['status', 'attempt', 'why', 'retry'],
  },
} as const satisfies AuditActionCatalogue

export type DrpAuditAction = keyof typeof drpAuditActions
