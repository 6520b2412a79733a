import type { AuditActionCatalogue } from '../audit/index.js'

/** What the subjects walks write to the audit log: one entry per walk, never per row. */
export const subjectsAuditActions = {
  'subject.exported': {
    when: "One person's data was read from every module for an access or portability export",
    details: ['keyHolders', 'sources'],
  },
  'subject.erased': {
    when: 'One person was erased from every module: keys destroyed first, then their rows',
    details: ['keyHolders', 'sources'],
  },
} as const satisfies AuditActionCatalogue

export type SubjectsAuditAction = keyof typeof subjectsAuditActions
