import type { AuditActionCatalogue } from '../audit/index.js'

/** What the transfers module writes to the audit log: registry changes and refusals. */
export const transfersAuditActions = {
  'subprocessor.registered': {
    when: 'A sub-processor was added to the registry (`POST /v1/subprocessors`, `subprocessors add`)',
    details: ['scope', 'country', 'mechanism'],
  },
  'subprocessor.changed': {
    when: 'A sub-processor’s entry changed: DPA, mechanism, measures, status… (`PATCH /v1/subprocessors/{id}`)',
    details: ['scope', 'fields'],
  },
  'transfer.refused': {
    when: 'The transfer guard refused to send personal data out (mail relay, backup, enrichment, webhook)',
    details: ['kind', 'reason', 'recipient', 'country', 'categories'],
  },
} as const satisfies AuditActionCatalogue

export type TransfersAuditAction = keyof typeof transfersAuditActions
