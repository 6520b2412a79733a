/**
 * The shape of a module's audit action catalogue: pure, no imports. Each module lists
 * the actions it writes in its own `<module>.audit.ts`, keyed by the name stored in the
 * log; `audit-actions.ts` joins the catalogues into the one `AuditAction` type.
 *
 * A name, once released, is kept for good: it is part of every stored entry's chain
 * hash, operators filter on it, and the breach detection rules match on it. Add names;
 * never rename or remove one.
 */
export interface AuditActionEntry {
  /** When the entry is written, in one line. */
  readonly when: string
  /** The keys its `details` may hold: names, counts, versions and flags, never personal data. */
  readonly details: readonly string[]
  /**
   * Set when the action is no longer written: what replaced it. The name stays, as
   * stored entries keep their meaning.
   */
  readonly retired?: string
}

/** A module's actions: dotted lower-case verbs (`contact.read`) and what each entry means. */
export type AuditActionCatalogue = Readonly<Record<`${string}.${string}`, AuditActionEntry>>

/** The form of every action name: a dotted lower-case verb of two to four parts. */
export const auditActionPattern = /^[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,31}){1,3}$/
