import { consentSealedColumns } from '../consent/consent.table.js'
import { trackingSealedColumns } from '../tracking/tracking.table.js'

/**
 * Which columns of which tables hold sealed values. The data tables belong to other
 * modules; each declares its sealed columns here so `keys rotate --reseal` can walk them
 * without knowing the modules.
 *
 * A declared column must be sealed with `table` and `column` exactly as declared here
 * (they are part of each value's associated data), the row's `idColumn` value as the
 * `rowId` (text), and the `subjectColumn` value as the subject.
 */
export interface SealedColumns {
  readonly table: string
  readonly idColumn: string
  readonly workspaceColumn: string
  readonly subjectColumn: string
  /** Binary (`blob`/`bytea`) columns holding sealed envelopes; null values are skipped. */
  readonly columns: readonly string[]
}

/**
 * Every module's declaration, listed in code the way migrations are listed in
 * `storage/migrations/index.ts`: a module that stores sealed values adds its entry.
 */
export const sealedColumnsOfAllModules: readonly SealedColumns[] = [
  // Operators are the subjects of their own account data (identity module).
  {
    table: 'operators',
    idColumn: 'id',
    workspaceColumn: 'workspace_id',
    subjectColumn: 'id',
    columns: ['email', 'first_name', 'last_name', 'picture_url', 'totp_secret'],
  },
  // A contact is the subject of its own profile (contacts module).
  {
    table: 'contacts',
    idColumn: 'id',
    workspaceColumn: 'workspace_id',
    subjectColumn: 'id',
    columns: ['profile'],
  },
  // The consent ledger's proofs (IP, user agent, evidence), under each consent subject.
  consentSealedColumns,
  // Tracked events: one envelope per event under the consent subject's key.
  trackingSealedColumns,
]

const identifier = /^[a-z_][a-z0-9_]{0,62}$/

export class SealedColumnRegistry {
  readonly #tables = new Map<string, SealedColumns>()

  constructor(declarations: readonly SealedColumns[] = []) {
    for (const declaration of declarations) this.register(declaration)
  }

  /** Declares a table's sealed columns; names must be plain lower-case SQL identifiers. */
  register(declaration: SealedColumns): void {
    const names = [
      declaration.table,
      declaration.idColumn,
      declaration.workspaceColumn,
      declaration.subjectColumn,
      ...declaration.columns,
    ]
    const bad = names.find((name) => !identifier.test(name))
    if (bad !== undefined)
      throw new Error(`Sealed column declaration: "${bad}" is not a plain identifier`)
    if (declaration.columns.length === 0) {
      throw new Error(`Sealed column declaration for ${declaration.table} lists no columns`)
    }
    if (this.#tables.has(declaration.table)) {
      throw new Error(`Sealed columns of ${declaration.table} are already declared`)
    }
    this.#tables.set(
      declaration.table,
      Object.freeze({ ...declaration, columns: [...declaration.columns] }),
    )
  }

  list(): readonly SealedColumns[] {
    return [...this.#tables.values()]
  }
}
