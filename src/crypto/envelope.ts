import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto'
import { AppError } from '../errors.js'
import { nonceLength, writeNonce } from './nonces.js'

/**
 * The sealed-value envelope, version 1. Every byte before the ciphertext is also part
 * of the associated data, so none of it can be changed without the tag failing:
 *
 *   offset  size  field
 *   0       1     format version (1)
 *   1       1     payload kind: 1 = a field's bytes or text, 2 = a JSON document
 *   2       4     subject key version, unsigned big-endian
 *   6       12    nonce, fresh and random for every value
 *   18      n     AES-256-GCM ciphertext
 *   18+n    16    GCM tag
 *
 * The associated data also names the cell the value belongs to (workspace, subject,
 * table, column, row id), so a value copied to another row, column or workspace, even
 * byte for byte, fails to open.
 */
export const envelopeFormat = 1
export const payloadKinds = { field: 1, json: 2 } as const
export type PayloadKind = keyof typeof payloadKinds

const headerLength = 6
const tagLength = 16
export const envelopeOverhead = headerLength + nonceLength + tagLength

/** Where a sealed value lives. Sealing binds the value to exactly this place. */
export interface CellRef {
  readonly workspaceId: string
  /** The data subject whose key seals the value, e.g. a contact id. */
  readonly subjectId: string
  readonly table: string
  readonly column: string
  readonly rowId: string
}

export interface EnvelopeHeader {
  kind: PayloadKind
  keyVersion: number
}

const aadLabel = Buffer.from('custodian/seal/v1\0', 'latin1')
const maxPartBytes = 1024

/** `key` is a KeyObject, or for a key made this moment the clear bytes, spared a KeyObject. */
export function sealPayload(
  key: KeyObject | Buffer,
  keyVersion: number,
  kind: PayloadKind,
  cell: CellRef,
  plaintext: Buffer,
): Buffer {
  const envelope = Buffer.allocUnsafe(envelopeOverhead + plaintext.length)
  envelope[0] = envelopeFormat
  envelope[1] = payloadKinds[kind]
  envelope.writeUInt32BE(keyVersion, 2)
  writeNonce(envelope, headerLength)
  const cipher = createCipheriv(
    'aes-256-gcm',
    key,
    envelope.subarray(headerLength, headerLength + nonceLength),
    { authTagLength: tagLength },
  )
  cipher.setAAD(associatedData(envelope, cell))
  const body = cipher.update(plaintext)
  const last = cipher.final()
  let at = headerLength + nonceLength
  at += body.copy(envelope, at)
  at += last.copy(envelope, at)
  cipher.getAuthTag().copy(envelope, at)
  return envelope
}

/** Reads the header without opening the value; rejects anything not shaped like an envelope. */
export function readEnvelopeHeader(envelope: Uint8Array, cell: CellRef): EnvelopeHeader {
  if (envelope.length < envelopeOverhead || envelope[0] !== envelopeFormat) {
    throw invalid(cell, 'it is not a sealed value of a known format')
  }
  const kind =
    envelope[1] === payloadKinds.field
      ? 'field'
      : envelope[1] === payloadKinds.json
        ? 'json'
        : undefined
  if (kind === undefined) throw invalid(cell, 'its payload kind is unknown')
  const view = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength)
  return { kind, keyVersion: view.readUInt32BE(2) }
}

export function openPayload(
  key: KeyObject,
  expected: PayloadKind,
  cell: CellRef,
  envelope: Uint8Array,
): Buffer {
  const header = readEnvelopeHeader(envelope, cell)
  if (header.kind !== expected) throw invalid(cell, `it holds a ${header.kind}, not a ${expected}`)
  const sealed = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength)
  const tagAt = sealed.length - tagLength
  const decipher = createDecipheriv(
    'aes-256-gcm',
    key,
    sealed.subarray(headerLength, headerLength + nonceLength),
    { authTagLength: tagLength },
  )
  decipher.setAAD(associatedData(sealed, cell))
  decipher.setAuthTag(sealed.subarray(tagAt))
  const body = decipher.update(sealed.subarray(headerLength + nonceLength, tagAt))
  try {
    const last = decipher.final()
    return last.length === 0 ? body : Buffer.concat([body, last])
  } catch (error) {
    // The tag did not match: the bytes were altered, or they belong to another cell.
    body.fill(0)
    throw invalid(cell, 'it was altered or belongs to another row, column or workspace', error)
  }
}

/** Label, header, then each part of the cell as a 2-byte length and its UTF-8 bytes. */
function associatedData(envelope: Buffer, cell: CellRef): Buffer {
  const { workspaceId, subjectId, table, column, rowId } = cell
  const length =
    aadLabel.length +
    headerLength +
    10 +
    partLength(workspaceId) +
    partLength(subjectId) +
    partLength(table) +
    partLength(column) +
    partLength(rowId)
  const aad = Buffer.allocUnsafe(length)
  let at = aadLabel.copy(aad, 0)
  at += envelope.copy(aad, at, 0, headerLength)
  at = writePart(aad, at, workspaceId)
  at = writePart(aad, at, subjectId)
  at = writePart(aad, at, table)
  at = writePart(aad, at, column)
  writePart(aad, at, rowId)
  return aad
}

function partLength(part: string): number {
  const size = Buffer.byteLength(part, 'utf8')
  if (size === 0 || size > maxPartBytes) {
    throw new AppError('invalid_request', `Sealed cells need ids of 1 to ${maxPartBytes} bytes`)
  }
  return size
}

function writePart(aad: Buffer, at: number, part: string): number {
  const size = aad.write(part, at + 2, 'utf8')
  aad.writeUInt16BE(size, at)
  return at + 2 + size
}

function invalid(cell: CellRef, why: string, cause?: unknown): AppError {
  // Names the place, never the value: messages reach logs and API clients.
  return new AppError(
    'sealed_value_invalid',
    `The sealed value in ${cell.table}.${cell.column} cannot be opened: ${why}`,
    cause === undefined ? {} : { cause },
  )
}
