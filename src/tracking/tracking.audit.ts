import type { AuditActionCatalogue } from '../audit/index.js'

/**
 * What tracking writes to the audit log. Ingest itself is not audited per event: it is
 * gated by consent, and a refusal is the consent module's `consent.denied`.
 */
export const trackingAuditActions = {
  'events.read': {
    when: 'A page of one person’s tracked events was opened (`GET /v1/events`)',
    details: ['count'],
  },
  'events.erased': {
    when: 'A person’s tracked events were deleted, for erasure',
    details: ['subjects', 'events'],
    retired: 'erasure is one walk over every module: `subject.erased`',
  },
} as const satisfies AuditActionCatalogue

export type TrackingAuditAction = keyof typeof trackingAuditActions
