import { lawfulBasisArticle, type Purpose } from '../../consent/index.js'
import type { PersonalDataSource } from '../../personal-data/index.js'
import { adequacyDecisionAt, isInEea, type SubprocessorView } from '../../transfers/index.js'
import type { Controller } from '../../workspaces/index.js'
import type { DataMap, DataMapEntry } from '../data-map/data-map.schema.js'
import { rightArticles, rightsFor } from '../shared/rights.logic.js'
import type { Activity, ControllerRecord, ProcessorRecord, Transfer } from './ropa.schema.js'

/** A DPIA as the records link to it. */
export interface AssessmentSummary {
  readonly id: string
  readonly title: string
  readonly status: string
  readonly reviewDueOn: string
  readonly categories: readonly string[]
}

export interface ControllerRecordInput {
  readonly workspace: { id: string; name: string; region: string }
  readonly controller: Controller | null
  readonly dataMap: DataMap
  readonly purposes: readonly Purpose[]
  readonly subprocessors: readonly SubprocessorView[]
  readonly sources: readonly PersonalDataSource[]
  readonly assessments: readonly AssessmentSummary[]
  readonly at: Date
}

/**
 * The controller's record (Art. 30(1)) from the data map and the live registries: one
 * activity per category of the map (so every category appears), each with its purposes
 * (the map's and the workspace's consent purposes that use it), bases, data subjects,
 * recipients (the map's categories and the registered sub-processors that receive it),
 * third-country transfers and their safeguards, retention (the map's and each table's),
 * where it is kept, and the DPIAs that cover it.
 */
export function buildControllerRecord(input: ControllerRecordInput): ControllerRecord {
  return {
    article: 'Art. 30(1)',
    workspace: input.workspace,
    controller: input.controller,
    jointControllers: [],
    technicalMeasures: input.dataMap.technicalMeasures,
    activities: input.dataMap.categories.map((category) => activityOf(category, input)),
  }
}

function activityOf(category: DataMapEntry, input: ControllerRecordInput): Activity {
  const names = new Set([category.name, ...(category.aliases ?? [])])
  const purposes = input.purposes.filter((purpose) =>
    purpose.dataCategories.some((name) => names.has(name)),
  )
  const receivers = input.subprocessors.filter(
    (entry) => entry.status === 'active' && entry.dataCategories.includes(category.name),
  )
  const bases = [...new Set([...category.lawfulBases, ...purposes.map((p) => p.lawfulBasis)])]
  const automated = purposes.filter((purpose) => purpose.automatedDecisions)
  return {
    category: category.name,
    label: category.label,
    description: category.description,
    origin: category.origin,
    specialCategory: category.specialCategory,
    specialCategoryCondition: category.specialCategoryCondition ?? null,
    systems: category.systems,
    purposes: category.purposes,
    consentPurposes: purposes.map((purpose) => ({
      name: purpose.name,
      lawfulBasis: purpose.lawfulBasis,
      description: purpose.description,
      automatedDecisions: purpose.automatedDecisions,
      directMarketing: purpose.directMarketing,
    })),
    lawfulBases: bases.map((basis) => `${basis} (${lawfulBasisArticle[basis]})`),
    legitimateInterests: category.legitimateInterests ?? null,
    dataSubjects: category.dataSubjects,
    recipients: category.recipients,
    subprocessors: receivers.map((entry) => ({
      name: entry.name,
      scope: entry.scope,
      country: entry.country,
      service: entry.service,
      dpa: entry.dpa === null ? null : `signed ${entry.dpa.signedOn}: ${entry.dpa.reference}`,
    })),
    transfers: receivers.flatMap((entry) => transferOf(entry, input.at) ?? []),
    retention: category.retention,
    locations: input.sources.flatMap((source) =>
      source.tables
        .filter((table) => table.categories.some((name) => name === category.name))
        .map((table) => ({ module: source.module, table: table.name, retention: table.retention })),
    ),
    source: category.source,
    requirement: category.requirement,
    automatedDecisions: automated.map(
      (purpose) => `${purpose.name}: ${purpose.description} (the person may object, Art. 22)`,
    ),
    rights: rightsFor({
      bases,
      automatedDecisions: automated.length > 0,
      directMarketing: purposes.some((purpose) => purpose.directMarketing),
    }).map((right) => `${right} (${rightArticles[right]})`),
    assessments: input.assessments
      .filter((assessment) => assessment.categories.includes(category.name))
      .map(({ id, title, status, reviewDueOn }) => ({ id, title, status, reviewDueOn })),
  }
}

/** A recipient outside the EEA, with the Chapter V ground it relies on; null within it. */
export function transferOf(entry: SubprocessorView, at: Date): Transfer | null {
  if (isInEea(entry.country)) return null
  return {
    subprocessor: entry.name,
    country: entry.country,
    mechanism: mechanismText(entry, at),
    safeguards: entry.supplementaryMeasures,
    guardAllows: entry.transferCheck.allowed,
  }
}

function mechanismText(entry: SubprocessorView, at: Date): string {
  const mechanism = entry.transferMechanism
  switch (mechanism.type) {
    case 'none':
      return 'None recorded: the transfer guard refuses it (Art. 44)'
    case 'adequacy':
      return `Adequacy decision (Art. 45): ${adequacyDecisionAt(entry.country, at)?.reference ?? 'none in force'}`
    case 'scc':
      return `Standard contractual clauses, module ${mechanism.module} (Implementing Decision (EU) 2021/914, Art. 46(2)(c)), signed ${mechanism.signedOn}`
    case 'bcr':
      return `Binding corporate rules (Art. 47): ${mechanism.reference}`
  }
}

export interface ProcessorRecordInput {
  readonly publicUrl: string
  readonly region: string
  readonly controllers: readonly {
    workspace: { id: string; name: string }
    controller: Controller | null
  }[]
  readonly sources: readonly PersonalDataSource[]
  readonly instanceSubprocessors: readonly SubprocessorView[]
  readonly technicalMeasures: readonly string[]
  readonly at: Date
}

/**
 * The record the instance's operator keeps as processor (Art. 30(2)): each controller
 * it processes for, what it does for them (every table of the registry, with the
 * categories it holds), its own sub-processors' third-country transfers, and its
 * measures. The operator's own name is nowhere in the instance yet, so it says so.
 */
export function buildProcessorRecord(input: ProcessorRecordInput): ProcessorRecord {
  const operations = input.sources.flatMap((source) =>
    source.tables.map(
      (table) =>
        `Storing, sealing, exporting and erasing ${table.name} (${source.module}): ${table.categories.join(', ')}`,
    ),
  )
  return {
    article: 'Art. 30(2)',
    processor: {
      name: null,
      note: 'The operator of this instance: its name, contact details and DPO are not recorded in the instance; add them to this record',
      publicUrl: input.publicUrl,
      region: input.region,
    },
    controllers: input.controllers.map(({ workspace, controller }) => ({
      workspaceId: workspace.id,
      controller: controllerLine(workspace.name, controller),
      categoriesOfProcessing: operations,
    })),
    transfers: input.instanceSubprocessors
      .filter((entry) => entry.status === 'active' && entry.scope === 'instance')
      .flatMap((entry) => transferOf(entry, input.at) ?? []),
    technicalMeasures: [...input.technicalMeasures],
  }
}

export function controllerLine(workspaceName: string, controller: Controller | null): string {
  if (controller === null) return `${workspaceName} (controller details not recorded)`
  const { address } = controller
  return `${controller.legalName}, ${address.streetAddress}, ${address.postalCode} ${address.locality}, ${address.country}; ${controller.email}; ${controller.phone}; DPO ${controller.dpo.name} <${controller.dpo.email}>`
}
