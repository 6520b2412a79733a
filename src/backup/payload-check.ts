import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

/** Counts and hashes bytes as they pass, for the manifest of what a backup holds. */
export class MeasuringStream extends Transform {
  readonly #hash: Hash = createHash('sha256')
  bytes = 0
  /** The first 100 bytes: an SQLite header. */
  head: Buffer = Buffer.alloc(0)
  readonly #onBytes: ((bytes: number) => void) | undefined

  constructor(onBytes?: (bytes: number) => void) {
    super({ highWaterMark: 256 * 1024 })
    this.#onBytes = onBytes
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk)
    if (this.head.length < 100) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, 100 - this.head.length)])
    }
    this.bytes += chunk.length
    this.#onBytes?.(this.bytes)
    done(null, chunk)
  }

  /** The SHA-256 of everything that passed, hex; call once, after the end. */
  digest(): string {
    return this.#hash.digest('hex')
  }
}

const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1')

/**
 * What an SQLite file's header says it holds: a file cut short or padded, or not an
 * SQLite database at all, fails here without writing it anywhere (`backup verify`).
 */
export function checkSqliteHeader(header: Buffer, totalBytes: number): string | undefined {
  if (header.length < 100 || !header.subarray(0, 16).equals(sqliteMagic)) {
    return 'the snapshot is not an SQLite database'
  }
  const rawPageSize = header.readUInt16BE(16)
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize
  const pages = header.readUInt32BE(28)
  // The in-header size is valid when the change counter matches "version valid for".
  if (header.readUInt32BE(24) !== header.readUInt32BE(92)) return undefined
  if (pages * pageSize !== totalBytes) {
    return `the snapshot holds ${String(totalBytes)} bytes where its header says ${String(pages * pageSize)}`
  }
  return undefined
}
