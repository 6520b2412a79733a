import type { AuditActionCatalogue } from '../audit/index.js'

/** What the retention module writes to the audit log: counts of what went, never contents. */
export const retentionAuditActions = {
  'retention.purged': {
    when: 'A retention rule deleted expired rows (`retention run` or the daily job), with the count',
    details: ['rule', 'table', 'rows', 'batches'],
  },
} as const satisfies AuditActionCatalogue

export type RetentionAuditAction = keyof typeof retentionAuditActions
