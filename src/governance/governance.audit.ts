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
} as const satisfies AuditActionCatalogue
