import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import type * as openpgp from 'openpgp'
import { AppError } from '../errors.js'
import { chunkBytes } from './backup-files.js'
import { decryptStream } from './openpgp-stream.js'

/** What a backup file turns out to hold, from its first clear bytes. */
export type PayloadKind = 'sqlite' | 'postgres' | 'vault'

const sniffBytes = 32

export interface OpenedBackup {
  readonly kind: PayloadKind
  /** The clear payload from its first byte; errors at its end if it does not check out. */
  readonly payload: Readable
  readonly signedBy: Promise<string>
}

/** Opens a backup file with the identity, checking it is signed by one of `signers`. */
export async function openBackup(
  file: string,
  keys: { identity: readonly openpgp.PrivateKey[]; signers: readonly openpgp.Key[] },
): Promise<OpenedBackup> {
  const encrypted = createReadStream(file, { highWaterMark: chunkBytes })
  encrypted.on('error', () => {})
  const decrypted = await decryptStream(encrypted, keys)
  const head = await peek(decrypted.payload, sniffBytes)
  return { kind: kindOf(head), payload: decrypted.payload, signedBy: decrypted.signedBy }
}

function kindOf(head: Buffer): PayloadKind {
  const text = head.toString('latin1')
  if (text.startsWith('SQLite format 3')) return 'sqlite'
  if (text.startsWith('CUSTODIAN-PGDUMP')) return 'postgres'
  if (text.startsWith('{"format":"custodian-key-vault"')) return 'vault'
  throw new AppError('invalid_request', 'The backup holds neither a snapshot nor a key vault')
}

/** Reads the first `count` bytes and puts them back, so the stream still starts at byte 0. */
async function peek(stream: Readable, count: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let length = 0
  while (length < count) {
    const chunk = await nextChunk(stream)
    if (chunk === null) break
    parts.push(chunk)
    length += chunk.length
  }
  const head = Buffer.concat(parts)
  if (head.length > 0) stream.unshift(head)
  return head.subarray(0, count)
}

function nextChunk(stream: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const read = () => {
      const chunk = stream.read() as Buffer | null
      if (chunk !== null) {
        cleanup()
        resolve(chunk)
      }
    }
    const ended = () => {
      cleanup()
      resolve(null)
    }
    const failed = (error: Error) => {
      cleanup()
      reject(error)
    }
    const cleanup = () => {
      stream.off('readable', read)
      stream.off('end', ended)
      stream.off('error', failed)
    }
    stream.on('readable', read)
    stream.on('end', ended)
    stream.on('error', failed)
    read()
  })
}
