import type { SealedColumns } from '../crypto/index.js'
import type { Database } from '../storage/index.js'

export type { SealedColumns }

/**
 * The personal-data registry's vocabulary (DESIGN principle 8). Every module that holds
 * personal data declares it with one `PersonalDataSource`: the tables it owns, what
 * they hold, which columns are sealed, how long it keeps them, and how to find, export
 * and erase one person's part. Rights, retention, backups, governance and re-sealing
 * walk the registry and never know another module's tables.
 */

/**
 * Kinds of personal data, as a record of processing (Art. 30(1)(c)) and an access
 * export (Art. 15(1)(b)) name them. Governance maps each to its purposes and recipients.
 */
export const dataCategories = [
  'identifiers', // email, external id, anonymous id: who the person is to the workspace
  'contact-profile', // name, email, custom attributes, enrichment
  'browsing', // pages, referrers, titles, named events and their properties
  'device', // browser, operating system, device type, screen
  'location', // country and city from the IP address
  'ip-address',
  'consent-proof', // choices, the notice shown, and the evidence of each
  'operator-account', // a workspace staff member's name, email, picture
  'authentication', // password hash, second factor, sessions, sign-in attempts
  'access-log', // who read or changed what, when, from where
  'conversations', // messages and files a person exchanged with the workspace
] as const
export type DataCategory = (typeof dataCategories)[number]

/** One personal table a source owns. */
export interface PersonalTable {
  readonly name: string
  readonly categories: readonly DataCategory[]
  /** Its sealed columns, when it has any. */
  readonly sealed?: Omit<SealedColumns, 'table'>
  /**
   * Its other binary columns (blind indexes, hashes, a value sealed but never re-sealed),
   * each with why it need not be a re-sealable sealed column.
   */
  readonly otherBinary?: Readonly<Record<string, string>>
  /** How long rows are kept, in words a record of processing can quote (Art. 30(1)(f)). */
  readonly retention: string
}

/** A blind index of one of the person's identifiers: found without anything in clear. */
export interface BlindIdentifier {
  readonly kind: 'email' | 'external_id' | 'anonymous_id'
  readonly blindIndex: Buffer
}

/**
 * One person, as every source sees them: the identifiers known to name them and every
 * key holder whose key seals some of their data. Holds nothing in clear.
 */
export interface ResolvedSubject {
  readonly workspaceId: string
  readonly identifiers: readonly BlindIdentifier[]
  /** Every id whose key seals some of the person's rows (subject, contact, operator ids). */
  readonly keyHolders: readonly string[]
}

/** What a source holds for one person: counts and keys of rows, nothing opened. */
export interface Located {
  /** Rows per table. */
  readonly rows: Readonly<Record<string, number>>
  /** Ids whose keys seal what was found, to be destroyed on erasure. */
  readonly keyHolders: readonly string[]
  /** Further identifiers the found rows carry (a contact found by email has an external id). */
  readonly identifiers: readonly BlindIdentifier[]
}

export type JsonRecord = { readonly [key: string]: unknown }

/** Where an access export goes: records per source and collection, opened. */
export interface ExportWriter {
  add(source: string, collection: string, record: JsonRecord): void | Promise<void>
}

/** The grounds of Art. 17(3) on which data may be kept despite an erasure request. */
export const retentionBases = {
  'art-17-3-b': 'Art. 17(3)(b): compliance with a legal obligation',
  'art-17-3-e': 'Art. 17(3)(e): the establishment, exercise or defence of legal claims',
} as const
export type RetentionBasis = keyof typeof retentionBases

export type Erasure =
  | { readonly outcome: 'erased'; readonly rows: Readonly<Record<string, number>> }
  | {
      readonly outcome: 'retained'
      readonly bases: readonly RetentionBasis[]
      readonly why: string
      readonly rows: Readonly<Record<string, number>>
    }

/**
 * What a retention rule is asked about: a workspace with its settings (the rule reads its
 * own module's fragment for the period), or the instance (`workspaceId` null) for rows
 * that belong to no workspace.
 */
export interface RetentionScope {
  readonly workspaceId: string | null
  readonly settings: Readonly<Record<string, unknown>> | null
  readonly now: Date
}

/**
 * One rule of storage limitation (Art. 5(1)(e)) a source applies to its own rows: which
 * have expired and how to remove them, a batch at a time, so the retention job never
 * holds a long transaction and never knows the table. Counts only: nothing is opened.
 */
export interface RetentionRule {
  /** Stable and unique across sources: `tracking-events`. */
  readonly name: string
  readonly table: string
  /** `workspace`: asked once per workspace; `instance`: once, for rows of no workspace. */
  readonly scope: 'workspace' | 'instance'
  /** The period in words, for the dry run and the records of processing. */
  describe(scope: RetentionScope): string
  /** How many rows have expired now. */
  countExpired(scope: RetentionScope): Promise<number>
  /**
   * Removes at most `limit` expired rows (and what hangs off them) in the transaction it
   * is given, answering how many of the rule's rows went: fewer than `limit` means done.
   */
  purgeExpired(trx: Database, scope: RetentionScope, limit: number): Promise<number>
}

/** A module's declaration of the personal data it holds and its part in every walk. */
export interface PersonalDataSource {
  /** The owning module's name, e.g. `contacts`. */
  readonly module: string
  readonly tables: readonly PersonalTable[]
  /** What it holds for the person. No audit entry, nothing decrypted. */
  locate(subject: ResolvedSubject): Promise<Located>
  /** Its part of an access export, opened, written as records (the walk audits once). */
  exportTo(subject: ResolvedSubject, writer: ExportWriter): Promise<void>
  /**
   * Deletes its rows of the person in the caller's write transaction, or says why they
   * are kept. The person's keys are already destroyed when this runs, and it finds the
   * rows by the key holders alone, so a walk resumed after a crash erases the same rows.
   */
  erase(trx: Database, subject: ResolvedSubject): Promise<Erasure>
  /** Its storage-limitation rules; none when its rows live as long as the person's record. */
  readonly retention?: readonly RetentionRule[]
}

/** Rows found, per table, summed over sources: a plan's and an erasure's counts. */
export function addRows(
  into: Record<string, number>,
  rows: Readonly<Record<string, number>>,
): Record<string, number> {
  for (const [table, count] of Object.entries(rows)) into[table] = (into[table] ?? 0) + count
  return into
}
