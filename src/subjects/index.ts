/**
 * Subjects: the person. Resolves one person across every module's personal data (the
 * registry in ../personal-data), and walks it to export (Art. 15, 20) or erase (Art. 17)
 * them, keeping an erasure record that outlives their data. The rights module calls
 * these; nothing here knows another module's tables.
 */
export {
  eraseSubject,
  type ErasureReport,
  resumeErasures,
  type SubjectsDeps,
} from './erase-subject.js'
export { collectingWriter, type ExportReport, exportSubject } from './export-subject.js'
export { locateAll, type Resolution, resolveSubject, type SubjectName } from './resolve-subject.js'
export type { SubjectErasuresTable } from './subjects.table.js'
