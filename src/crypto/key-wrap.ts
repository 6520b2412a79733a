import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto'
import { nonceLength, writeNonce } from './nonces.js'

/**
 * Key wrapping: AES-256-GCM over a key, bound by its associated data to what the key
 * is for (purpose, workspace, subject, versions), so a wrapped key moved to another
 * row of the key tables no longer unwraps. Layout: format (1) ‖ nonce (12) ‖
 * ciphertext ‖ tag (16).
 */
export type WrapContext = Readonly<Record<string, string>>

const wrapFormat = 1
const tagLength = 16

/** Thrown when a wrapped key does not open: wrong wrapping key, altered bytes or context. */
export class KeyUnwrapError extends Error {
  constructor(cause?: unknown) {
    super('A wrapped key could not be unwrapped', cause === undefined ? undefined : { cause })
    this.name = 'KeyUnwrapError'
  }
}

export function wrapKey(
  wrappingKey: KeyObject,
  label: string,
  context: WrapContext,
  key: Uint8Array,
): Buffer {
  const wrapped = Buffer.allocUnsafe(1 + nonceLength + key.length + tagLength)
  wrapped[0] = wrapFormat
  writeNonce(wrapped, 1)
  const cipher = createCipheriv('aes-256-gcm', wrappingKey, wrapped.subarray(1, 1 + nonceLength), {
    authTagLength: tagLength,
  })
  cipher.setAAD(encodeWrapContext(label, context))
  let at = 1 + nonceLength
  at += cipher.update(key).copy(wrapped, at)
  at += cipher.final().copy(wrapped, at)
  cipher.getAuthTag().copy(wrapped, at)
  return wrapped
}

export function unwrapKey(
  wrappingKey: KeyObject,
  label: string,
  context: WrapContext,
  wrapped: Uint8Array,
): Buffer {
  const bytes = Buffer.from(wrapped.buffer, wrapped.byteOffset, wrapped.byteLength)
  if (bytes.length < 1 + nonceLength + tagLength || bytes[0] !== wrapFormat) {
    throw new KeyUnwrapError()
  }
  const tagAt = bytes.length - tagLength
  const decipher = createDecipheriv(
    'aes-256-gcm',
    wrappingKey,
    bytes.subarray(1, 1 + nonceLength),
    { authTagLength: tagLength },
  )
  decipher.setAAD(encodeWrapContext(label, context))
  decipher.setAuthTag(bytes.subarray(tagAt))
  const key = decipher.update(bytes.subarray(1 + nonceLength, tagAt))
  try {
    decipher.final()
    return key
  } catch (error) {
    key.fill(0)
    throw new KeyUnwrapError(error)
  }
}

/**
 * An unambiguous encoding of a label and a context: entries sorted by name, every
 * string preceded by its 4-byte length, so no two different contexts encode alike.
 * Written into one buffer: this runs once per key wrapped or unwrapped.
 */
export function encodeWrapContext(label: string, context: WrapContext): Buffer {
  const names = Object.keys(context).sort()
  const parts = [label]
  for (const name of names) parts.push(name, context[name] ?? '')
  let length = 0
  for (const part of parts) length += 4 + Buffer.byteLength(part, 'utf8')
  const encoded = Buffer.allocUnsafe(length)
  let at = 0
  for (const part of parts) {
    const size = encoded.write(part, at + 4, 'utf8')
    encoded.writeUInt32BE(size, at)
    at += 4 + size
  }
  return encoded
}
