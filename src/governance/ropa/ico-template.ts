import { stringify } from 'csv-stringify/sync'
import type { Activity, ControllerRecord, ProcessorRecord } from './ropa.schema.js'

/**
 * The UK Information Commissioner's Office "Documentation template for controllers"
 * (ico.org.uk, Accountability and governance > Documentation; the .xlsx, sheet
 * `Template`, row 9, columns A to AD): its column names, verbatim and in order. The
 * green ones are what Art. 30(1) requires, the blue ones optional; all are kept, so the
 * file opens in the ICO's own layout. Columns 26 to 30 are for the UK's Data Protection
 * Act 2018: under the EU GDPR they say so.
 */
export const icoTemplate = {
  name: "ICO (UK Information Commissioner's Office) Documentation template for controllers",
  url: 'https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/accountability-and-governance/guide-to-accountability-and-governance/accountability-and-governance/documentation/',
} as const

export const icoControllerColumns = [
  'Business function',
  'Purpose of processing',
  'Name and contact details of joint controller (if applicable)',
  'Categories of individuals',
  'Categories of personal data',
  'Categories of recipients',
  'Link to contract with processor',
  'Names of third countries or international organisations that personal data are transferred to (if applicable)',
  'Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)',
  'Retention schedule (if possible)',
  'General description of technical and organisational security measures (if possible)',
  'Article 6 lawful basis for processing personal data',
  'Article 9 condition for processing special category data',
  'Legitimate interests for the processing (if applicable)',
  'Link to record of legitimate interests assessment (if applicable)',
  'Rights available to individuals',
  'Existence of automated decision-making, including profiling (if applicable)',
  'The source of the personal data (if applicable)',
  'Link to record of consent',
  'Location of personal data',
  'Data Protection Impact Assessment required?',
  'Data Protection Impact Assessment progress',
  'Link to Data Protection Impact Assessment',
  'Has a personal data breach occurred?',
  'Link to record of personal data breach',
  'Data Protection Act 2018 Schedule 1 Condition for processing',
  'GDPR Article 6 lawful basis for processing',
  'Link to retention and erasure policy document',
  'Is personal data retained and erased in accordance with the policy document?',
  'Reasons for not adhering to policy document (if applicable)',
] as const

/**
 * The processor's record has no template of the ICO's in this repository, so its CSV
 * names its columns after the points of Art. 30(2) themselves.
 */
export const processorColumns = [
  'Name and contact details of the processor (Art. 30(2)(a))',
  'Name and contact details of the controller (Art. 30(2)(a))',
  'Categories of processing carried out on behalf of the controller (Art. 30(2)(b))',
  'Transfers to a third country or international organisation, and their safeguards (Art. 30(2)(c))',
  'General description of technical and organisational security measures (Art. 30(2)(d))',
] as const

const notRecorded = 'Not recorded'
const none = 'None'
const joined = (items: readonly string[], empty = none) =>
  items.length === 0 ? empty : items.join('; ')

export interface CsvLinks {
  /** The workspace's privacy notice, which states retention per category. */
  readonly noticeUrl: string
  /** Where the consent ledger and its receipts are read. */
  readonly consentUrl: string
  /** A DPIA's address in the API, by id. */
  readonly assessmentUrl: (id: string) => string
}

function rowOf(activity: Activity, record: ControllerRecord, links: CsvLinks): string[] {
  const onConsent = activity.lawfulBases.some((basis) => basis.startsWith('consent'))
  const assessment = activity.assessments[0]
  return [
    joined(activity.systems),
    joined([
      ...activity.purposes,
      ...activity.consentPurposes.map((purpose) => `${purpose.name}: ${purpose.description}`),
    ]),
    joined(record.jointControllers, 'Not applicable: no joint controller'),
    joined(activity.dataSubjects),
    `${activity.label} (${activity.category}): ${activity.description}`,
    joined([
      ...activity.recipients,
      ...activity.subprocessors.map(
        (entry) => `${entry.name} (${entry.country}), ${entry.service}`,
      ),
    ]),
    joined(
      activity.subprocessors.map((entry) => `${entry.name}: ${entry.dpa ?? 'no DPA recorded'}`),
      'Not applicable: no processor registered for this category',
    ),
    joined(activity.transfers.map((transfer) => `${transfer.subprocessor}: ${transfer.country}`)),
    joined(
      activity.transfers.map(
        (transfer) =>
          `${transfer.subprocessor}: ${transfer.mechanism}${transfer.safeguards.length > 0 ? `; ${transfer.safeguards.join(', ')}` : ''}`,
      ),
      'Not applicable: no transfer outside the EEA',
    ),
    [
      activity.retention,
      ...activity.locations.map((where) => `${where.table}: ${where.retention}`),
    ].join('; '),
    joined(record.technicalMeasures),
    joined(activity.lawfulBases),
    activity.specialCategory
      ? (activity.specialCategoryCondition ?? notRecorded)
      : 'Not applicable: not special category data',
    activity.legitimateInterests ?? 'Not applicable',
    activity.legitimateInterests === null ? 'Not applicable' : notRecorded,
    joined(activity.rights),
    joined(activity.automatedDecisions, 'No'),
    activity.source,
    onConsent ? links.consentUrl : 'Not applicable: not processed on consent',
    joined(
      activity.locations.map((where) => `${where.module}.${where.table}`),
      joined(activity.systems),
    ),
    activity.assessments.length > 0 ? 'Yes' : 'Not recorded: no DPIA covers this category',
    assessment === undefined
      ? notRecorded
      : `${assessment.status}, review due ${assessment.reviewDueOn}`,
    assessment === undefined ? notRecorded : links.assessmentUrl(assessment.id),
    notRecorded,
    notRecorded,
    'Not applicable: a UK Data Protection Act 2018 field; this record is kept under the EU GDPR',
    joined(activity.lawfulBases),
    `${links.noticeUrl}#retention`,
    notRecorded,
    notRecorded,
  ]
}

/**
 * A CSV of the chosen record: a byte-order mark so spreadsheets read UTF-8, CRLF rows
 * (RFC 4180), and cells a spreadsheet would run as a formula guarded (OWASP).
 */
function csvOf(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return stringify([header, ...rows], {
    bom: true,
    escape_formulas: true,
    record_delimiter: 'windows',
    quote_record_delimiter: true,
  })
}

/** The controller's record in the ICO template's columns, one row per category. */
export function controllerCsv(record: ControllerRecord, links: CsvLinks): string {
  return csvOf(
    icoControllerColumns,
    record.activities.map((activity) => rowOf(activity, record, links)),
  )
}

/** The processor's record, one row per controller it processes for. */
export function processorCsv(record: ProcessorRecord): string {
  const processor = record.processor.name ?? `${notRecorded}: ${record.processor.note}`
  const transfers = joined(
    record.transfers.map(
      (transfer) => `${transfer.subprocessor} (${transfer.country}): ${transfer.mechanism}`,
    ),
    'None: no transfer outside the EEA',
  )
  return csvOf(
    processorColumns,
    record.controllers.map((controller) => [
      processor,
      controller.controller,
      controller.categoriesOfProcessing.join('; '),
      transfers,
      joined(record.technicalMeasures),
    ]),
  )
}
