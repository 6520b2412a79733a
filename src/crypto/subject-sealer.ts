import { AppError } from '../errors.js'
import {
  type CellRef,
  openPayload,
  type PayloadKind,
  readEnvelopeHeader,
  sealPayload,
} from './envelope.js'
import type { SubjectKeys } from './key-store.js'

/** A cell of the subject's own rows: the table, the column and the row's id. */
export interface FieldRef {
  readonly table: string
  readonly column: string
  readonly rowId: string
}

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/**
 * Seals and opens one data subject's values with keys already in hand: synchronous, no
 * database, no lookup per value. Made by `Keyring.sealersFor` before a batch and used
 * inside the batch's transaction; hold one for one unit of work only, as it keeps
 * working after the subject is erased elsewhere.
 */
export class SubjectSealer {
  readonly #keys: SubjectKeys

  constructor(keys: SubjectKeys) {
    this.#keys = keys
  }

  get workspaceId(): string {
    return this.#keys.workspaceId
  }

  get subjectId(): string {
    return this.#keys.subjectId
  }

  /** The subject key version new values are sealed under. */
  get keyVersion(): number {
    return this.#keys.current.version
  }

  /** Whether a value sealed under `version` can be opened with the keys in hand. */
  hasKeyVersion(version: number): boolean {
    return this.#keys.versions.has(version)
  }

  seal(field: FieldRef, value: string | Uint8Array): Buffer {
    const plaintext = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)
    try {
      return this.sealBytes('field', field, plaintext)
    } finally {
      plaintext.fill(0)
    }
  }

  /** Seals a JSON document as one envelope: one cipher call for many fields. */
  sealJson(field: FieldRef, value: JsonValue): Buffer {
    const plaintext = Buffer.from(JSON.stringify(value), 'utf8')
    try {
      return this.sealBytes('json', field, plaintext)
    } finally {
      plaintext.fill(0)
    }
  }

  open(field: FieldRef, sealed: Uint8Array): Buffer {
    return this.openBytes('field', field, sealed)
  }

  openText(field: FieldRef, sealed: Uint8Array): string {
    const plaintext = this.openBytes('field', field, sealed)
    const text = plaintext.toString('utf8')
    plaintext.fill(0)
    return text
  }

  openJson(field: FieldRef, sealed: Uint8Array): JsonValue {
    const plaintext = this.openBytes('json', field, sealed)
    // Authenticated bytes this code sealed from JSON.stringify output: parse cannot fail
    // short of a bug, and the shape is what was sealed.
    const value = JSON.parse(plaintext.toString('utf8')) as JsonValue
    plaintext.fill(0)
    return value
  }

  /** Seals raw bytes as the given kind; the reseal job uses it to keep a value's kind. */
  sealBytes(kind: PayloadKind, field: FieldRef, plaintext: Buffer): Buffer {
    const { key, version } = this.#keys.current
    return sealPayload(key, version, kind, this.#cell(field), plaintext)
  }

  openBytes(kind: PayloadKind, field: FieldRef, sealed: Uint8Array): Buffer {
    const cell = this.#cell(field)
    const { keyVersion } = readEnvelopeHeader(sealed, cell)
    const key = this.#keys.versions.get(keyVersion)
    if (key === undefined) {
      throw new AppError(
        'sealed_value_invalid',
        `The sealed value in ${field.table}.${field.column} cannot be opened: it refers to a key version its subject does not have`,
      )
    }
    return openPayload(key, kind, cell, sealed)
  }

  #cell(field: FieldRef): CellRef {
    return {
      workspaceId: this.#keys.workspaceId,
      subjectId: this.#keys.subjectId,
      table: field.table,
      column: field.column,
      rowId: field.rowId,
    }
  }
}
