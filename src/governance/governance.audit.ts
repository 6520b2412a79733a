import type { AuditActionCatalogue } from '../audit/index.js'

/** What the governance module writes to the audit log. */
export const governanceAuditActions = {
  'data_map.category_saved': {
    when: 'A workspace added or replaced a category of its own in the data map',
    details: [],
  },
  'data_map.category_removed': {
    when: 'A workspace removed a category of its own from the data map',
    details: [],
  },
  'ropa.exported': {
    when: 'The records of processing were exported (`GET /v1/ropa`, `custodian ropa export`)',
    details: ['format', 'record'],
  },
  'dpia.created': {
    when: 'A DPIA was added to the register (`POST /v1/dpias`), or the instance’s own seeded',
    details: ['seeded'],
  },
  'dpia.changed': {
    when: 'A DPIA changed (`PATCH /v1/dpias/{id}`): a change after sign-off reopens it',
    details: ['fields', 'reopened'],
  },
  'dpia.signed_off': {
    when: 'The DPO signed a DPIA off (Art. 35(2)), with the next review date',
    details: ['reviewDueOn'],
  },
  'dpia.review_overdue': {
    when: 'The reminder job found DPIAs past their review date and told the DPO (Art. 35(11))',
    details: ['overdue', 'mailed'],
  },
} as const satisfies AuditActionCatalogue
