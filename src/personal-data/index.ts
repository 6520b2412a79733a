/**
 * The personal-data registry (DESIGN principle 8): what every module declares about the
 * personal data it holds, the classification of every table, and the registry the
 * composition root makes from the modules' sources. The walks over it (resolve, export,
 * erase) are the subjects module's.
 */
export { personalTables, type TableClass, tableClassification } from './classification.js'
export {
  addRows,
  type BlindIdentifier,
  type DataCategory,
  dataCategories,
  type Erasure,
  type ExportWriter,
  type JsonRecord,
  type Located,
  type PersonalDataSource,
  type PersonalTable,
  type ResolvedSubject,
  type RetentionBasis,
  type RetentionRule,
  type RetentionScope,
  retentionBases,
  type SealedColumns,
} from './personal-data.js'
export { createPersonalDataRegistry, type PersonalDataRegistry } from './registry.js'
