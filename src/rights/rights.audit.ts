import type { AuditActionCatalogue } from '../audit/index.js'

/**
 * What the rights module writes to the audit log: every transition of a request, every
 * code sent and failed, every download. Details are types, channels, articles, counts
 * and blind hashes, never the person's data (the request's own envelope holds that).
 */
export const rightsAuditActions = {
  'rights.request_filed': {
    when: 'A data subject request was received',
    details: ['type', 'channel', 'backdated', 'duplicate'],
  },
  'rights.request_read': {
    when: "An operator opened a request's subject, details and notes",
    details: ['type'],
  },
  'rights.code_sent': {
    when: 'A verification code was mailed to the address the request names',
    details: ['reminder', 'delivered'],
  },
  'rights.verification_failed': {
    when: 'A wrong, expired or exhausted verification code was offered',
    details: ['why', 'attempts'],
  },
  'rights.request_verified': {
    when: "The requester's identity was confirmed, by code or by an operator with a reason",
    details: ['method'],
  },
  'rights.request_lapsed': {
    when: 'A request was closed because the person never confirmed it (Art. 12(6))',
    details: ['type'],
  },
  'rights.request_completed': {
    when: 'A request was fulfilled',
    details: ['type', 'outcome'],
  },
  'rights.request_failed': {
    when: 'A fulfilment failed; the request shows the problem and can be retried',
    details: ['type', 'code'],
  },
  'rights.request_rejected': {
    when: 'A request was refused with its article',
    details: ['type', 'article'],
  },
  'rights.request_withdrawn': { when: 'The person withdrew a request', details: ['type'] },
  'rights.request_extended': {
    when: 'The answer period was extended by up to two months (Art. 12(3))',
    details: ['type', 'extendedDueDate'],
  },
  'rights.contact_rectified': {
    when: 'A rectification changed profile fields; blind hashes of the values before and after',
    details: ['fields', 'before', 'after'],
  },
  'rights.restriction_lifted': {
    when: 'A restriction of processing was lifted after the person was told (Art. 18(3))',
    details: [],
  },
  'rights.export_downloaded': {
    when: 'An access or portability export was downloaded',
    details: ['via', 'records'],
  },
  'rights.hold_placed': {
    when: "A legal hold was placed on a person's data (Art. 17(3))",
    details: ['basis'],
  },
  'rights.hold_lifted': { when: 'A legal hold was lifted', details: ['basis'] },
  'rights.reminders_sent': {
    when: 'The DPO was mailed about requests nearing or past their due date',
    details: ['due', 'overdue'],
  },
} as const satisfies AuditActionCatalogue

export type RightsAuditAction = keyof typeof rightsAuditActions
