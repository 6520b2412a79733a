/**
 * Subjects: the person. One subject id per end-user is the key holder of their data:
 * contacts, the consent ledger and tracking events store it and seal under its key.
 * This module owns the subjects and their identifiers (email, external id, anonymous id,
 * as blind indexes only), links identifiers on identify and merges two subjects found to
 * be one person (`linkSubjects`), and resolves one person across every module's personal
 * data (the registry in ../personal-data) to export (Art. 15, 20) or erase (Art. 17)
 * them, keeping an erasure record that outlives their data.
 *
 * Other modules never name its tables: they call what is exported here, and a statement
 * that must stay one statement (the consent decision) embeds its SQL fragments
 * (`subjectIdNamedBy`, `subjectsNamedBy`, `survivingSubjectIdOf`, `survivingSubjectsOf`).
 */
export {
  eraseSubject,
  type ErasureReport,
  resumeErasures,
  type SubjectsDeps,
} from './erase-subject.js'
export { collectingWriter, type ExportReport, exportSubject } from './export-subject.js'
export {
  identifierOf,
  identifierValueOf,
  type IdentifierValue,
  isSubjectId,
  type SubjectIdentifier,
  type SubjectRef,
} from './identifiers.logic.js'
export {
  attachIdentifiers,
  attachIdentifiersOfMany,
  blindIdentifiersOf,
  linkSubjects,
  lockSurvivingSubject,
  type SubjectLink,
  subjectNamedOrNew,
} from './link-subjects.js'
export {
  findExternalIdIndexes,
  findLinkedSubjects,
  type LinkedSubjects,
  linkedSubjectIds,
  subjectIdNamed,
  subjectIdsNamed,
  survivingSubjectIds,
} from './linked-subjects.js'
export { subjectsPersonalData, subjectsTables } from './personal-data.js'
export { locateAll, type Resolution, resolveSubject, type SubjectName } from './resolve-subject.js'
export {
  subjectIdNamedBy,
  subjectsNamedBy,
  survivingSubjectIdOf,
  survivingSubjectsOf,
} from './subject-queries.js'
export type {
  IdentifierKind,
  SubjectErasuresTable,
  SubjectIdentifiersTable,
  SubjectsTable,
} from './subjects.table.js'
