import type { AuditActionCatalogue } from './action-catalogue.js'

/** What the audit log writes about itself: reading it can be a read of personal data. */
export const auditLogAuditActions = {
  'audit.ip_revealed': {
    when: 'A reader asked for the callers’ sealed IP addresses (`includeIp=true`); written first',
    details: ['entries', 'newestSeq', 'oldestSeq'],
  },
} as const satisfies AuditActionCatalogue

export type AuditLogAuditAction = keyof typeof auditLogAuditActions
