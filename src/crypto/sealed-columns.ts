/**
 * Which columns of which tables hold sealed values. The data tables belong to other
 * modules; each declares its sealed columns in its personal-data source, and the
 * composition root hands them all to the keyring (`openKeyring({ sealedColumns })`) so
 * `keys rotate --reseal` can walk them without knowing the modules.
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
