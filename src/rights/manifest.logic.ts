import type { LawfulBasis, Purpose } from '../consent/index.js'
import {
  type DataCategory,
  dataCategories,
  type PersonalDataSource,
} from '../personal-data/index.js'
import {
  categoryDescriptions,
  complaintDescription,
  lawfulBasisMeanings,
  notRecordedMeans,
  rightDescriptions,
  type RightName,
  rightNames,
} from './manifest.texts.js'

/**
 * The `manifest.json` of an access (Art. 15) or portability (Art. 20) archive: what
 * Art. 15(1)–(2) says a person is owed besides the copy of their data, built only from
 * what Custodian holds. What it does not hold yet (the controller's identity, recipients,
 * the source of the data, transfers, the supervisory authority: a governance registry
 * will) says `not recorded`, never a guess: a wrong answer to Art. 15 is worse than an
 * honest gap the controller must fill.
 */

/** Raise it when a field changes meaning or goes away; adding a field does not. */
export const manifestVersion = 1

export const notRecorded = 'not recorded' as const
export type NotRecorded = typeof notRecorded

export type ArchiveKind = 'access' | 'portability'

/** A purpose as the consent catalogue describes it, taken as a plain value. */
export type ManifestPurposeInput = Pick<
  Purpose,
  | 'name'
  | 'lawfulBasis'
  | 'description'
  | 'dataCategories'
  | 'directMarketing'
  | 'automatedDecisions'
>

/** A registry source as far as the manifest needs it: `registry.sources` fits. */
export type ManifestSourceInput = Pick<PersonalDataSource, 'module' | 'tables'>

export interface AccessManifestInput {
  readonly workspaceName: string
  readonly request: {
    readonly id: string
    readonly type: ArchiveKind
    /** ISO 8601, as the request recorded it. */
    readonly receivedAt: string
  }
  readonly generatedAt: Date
  readonly sources: readonly ManifestSourceInput[]
  readonly purposes: readonly ManifestPurposeInput[]
  /**
   * Records per source in this export (`ExportReport.records`). When given, the manifest
   * lists the categories "concerned" (Art. 15(1)(b)): those of sources holding the
   * person's data. Without it, every category the workspace holds, and says so.
   */
  readonly recordsPerSource?: Readonly<Record<string, number>>
}

export interface ManifestPurpose {
  name: string
  description: string
  lawfulBasis: LawfulBasis
  lawfulBasisArticle: string
  lawfulBasisMeaning: string
  dataCategories: string[]
  directMarketing: boolean
  automatedDecisions: boolean
}

export interface ManifestRetention {
  source: string
  table: string
  retention: string
}

export interface ManifestCategory {
  category: DataCategory
  description: string
  /** Art. 15(1)(d): how long, per table that holds the category, in the registry's words. */
  retention: ManifestRetention[]
}

export interface ManifestSource {
  source: string
  /** Present when the export's counts were given. */
  records?: number
  tables: { table: string; categories: DataCategory[]; retention: string }[]
}

export interface ManifestRight {
  right: RightName
  title: string
  article: string
  description: string
  /** The purposes it bears on, where the right depends on the lawful basis. */
  appliesToPurposes?: string[]
}

export interface ManifestAutomatedDecision {
  purpose: string
  description: string
  dataCategories: string[]
  lawfulBasis: LawfulBasis
  logicInvolved: NotRecorded
  significanceAndConsequences: NotRecorded
}

export interface AccessManifest {
  manifestVersion: typeof manifestVersion
  kind: ArchiveKind
  generatedAt: string
  request: { id: string; type: ArchiveKind; receivedAt: string }
  workspace: { name: string }
  notRecordedMeans: string
  controller: {
    identity: NotRecorded
    contactDetails: NotRecorded
    dataProtectionOfficer: NotRecorded
  }
  /** Art. 15(1)(a). */
  purposes: ManifestPurpose[]
  categoriesScope: 'sources-holding-your-data' | 'every-source-of-the-workspace'
  /** Art. 15(1)(b) and (d). */
  categories: ManifestCategory[]
  sources: ManifestSource[]
  /** Art. 15(1)(c). */
  recipients: NotRecorded
  /** Art. 15(1)(g). */
  sourceOfData: NotRecorded
  /** Art. 15(1)(h). */
  automatedDecisionMaking: { exists: boolean; purposes: ManifestAutomatedDecision[] }
  /** Art. 15(2) and Art. 46. */
  transfers: { thirdCountriesOrOrganisations: NotRecorded; safeguards: NotRecorded }
  /** Art. 15(1)(e), with Art. 7(3), 20 and 22. */
  rights: ManifestRight[]
  /** Art. 15(1)(f) and Art. 77. */
  complaint: { article: string; description: string; supervisoryAuthority: NotRecorded }
}

/**
 * The manifest for one request. Pure: the caller reads the registry, the purpose
 * catalogue and the clock.
 *
 * @example
 *   buildAccessManifest({
 *     workspaceName: 'Acme', request: { id, type: 'access', receivedAt },
 *     generatedAt: clock.now(), sources: registry.sources, purposes,
 *     recordsPerSource: report.records,
 *   })
 */
export function buildAccessManifest(input: AccessManifestInput): AccessManifest {
  const counted = input.recordsPerSource
  const concerned =
    counted === undefined
      ? input.sources
      : input.sources.filter((source) => (counted[source.module] ?? 0) > 0)
  return {
    manifestVersion,
    kind: input.request.type,
    generatedAt: input.generatedAt.toISOString(),
    request: { ...input.request },
    workspace: { name: input.workspaceName },
    notRecordedMeans,
    controller: {
      identity: notRecorded,
      contactDetails: notRecorded,
      dataProtectionOfficer: notRecorded,
    },
    purposes: input.purposes.map(manifestPurposeOf),
    categoriesScope:
      counted === undefined ? 'every-source-of-the-workspace' : 'sources-holding-your-data',
    categories: categoriesOf(concerned),
    sources: input.sources.map((source) => manifestSourceOf(source, counted)),
    recipients: notRecorded,
    sourceOfData: notRecorded,
    automatedDecisionMaking: automatedDecisionsOf(input.purposes),
    transfers: { thirdCountriesOrOrganisations: notRecorded, safeguards: notRecorded },
    rights: rightsOf(input.purposes),
    complaint: {
      article: 'Art. 77',
      description: complaintDescription,
      supervisoryAuthority: notRecorded,
    },
  }
}

function manifestPurposeOf(purpose: ManifestPurposeInput): ManifestPurpose {
  const basis = lawfulBasisMeanings[purpose.lawfulBasis]
  return {
    name: purpose.name,
    description: purpose.description,
    lawfulBasis: purpose.lawfulBasis,
    lawfulBasisArticle: basis.article,
    lawfulBasisMeaning: basis.meaning,
    dataCategories: [...purpose.dataCategories],
    directMarketing: purpose.directMarketing,
    automatedDecisions: purpose.automatedDecisions,
  }
}

/** Each category once, in the registry's order, with every table's retention of it. */
function categoriesOf(sources: readonly ManifestSourceInput[]): ManifestCategory[] {
  return dataCategories.flatMap((category) => {
    const retention = sources.flatMap((source) =>
      source.tables
        .filter((table) => table.categories.includes(category))
        .map((table) => ({ source: source.module, table: table.name, retention: table.retention })),
    )
    return retention.length === 0
      ? []
      : [{ category, description: categoryDescriptions[category], retention }]
  })
}

function manifestSourceOf(
  source: ManifestSourceInput,
  counted: Readonly<Record<string, number>> | undefined,
): ManifestSource {
  return {
    source: source.module,
    ...(counted === undefined ? {} : { records: counted[source.module] ?? 0 }),
    tables: source.tables.map((table) => ({
      table: table.name,
      categories: [...table.categories],
      retention: table.retention,
    })),
  }
}

function automatedDecisionsOf(
  purposes: readonly ManifestPurposeInput[],
): AccessManifest['automatedDecisionMaking'] {
  const automated = purposes
    .filter((purpose) => purpose.automatedDecisions)
    .map((purpose): ManifestAutomatedDecision => ({
      purpose: purpose.name,
      description: purpose.description,
      dataCategories: [...purpose.dataCategories],
      lawfulBasis: purpose.lawfulBasis,
      // The catalogue holds what the purpose is for, not how its logic decides nor
      // what follows for the person (Art. 15(1)(h)): the governance registry will.
      logicInvolved: notRecorded,
      significanceAndConsequences: notRecorded,
    }))
  return { exists: automated.length > 0, purposes: automated }
}

function rightsOf(purposes: readonly ManifestPurposeInput[]): ManifestRight[] {
  const namesWhere = (test: (purpose: ManifestPurposeInput) => boolean) =>
    purposes.filter(test).map((purpose) => purpose.name)
  const appliesTo: Partial<Record<RightName, string[]>> = {
    // Art. 7(3): only what rests on consent can be withdrawn.
    'withdraw-consent': namesWhere((purpose) => purpose.lawfulBasis === 'consent'),
    // Art. 20(1)(a): consent or contract.
    portability: namesWhere(
      (purpose) => purpose.lawfulBasis === 'consent' || purpose.lawfulBasis === 'contract',
    ),
    // Art. 21(1): public task or legitimate interests; 21(2): direct marketing, always.
    objection: namesWhere(
      (purpose) =>
        purpose.directMarketing ||
        purpose.lawfulBasis === 'public-task' ||
        purpose.lawfulBasis === 'legitimate-interests',
    ),
    // Art. 22: the purposes that evaluate the person automatically.
    'automated-decisions': namesWhere((purpose) => purpose.automatedDecisions),
  }
  return rightNames.map((right) => {
    const purposesOfRight = appliesTo[right]
    return {
      right,
      ...rightDescriptions[right],
      ...(purposesOfRight === undefined ? {} : { appliesToPurposes: purposesOfRight }),
    }
  })
}
