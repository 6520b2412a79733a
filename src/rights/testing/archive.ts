import { Writable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { fromBufferPromise } from 'yauzl'

/**
 * Test helpers for access archives: collect a streamed ZIP, open it with a ZIP reader
 * that is not the writer (yauzl), and read its CSV files back.
 */

export interface ArchiveEntry {
  readonly name: string
  readonly directory: boolean
  readonly text: string
  readonly modifiedAt: Date
  /** Unix mode bits, as the archive stores them. */
  readonly mode: number
}

/** A writable that keeps every chunk, and lets a test look at what arrived so far. */
export function collectingOutput(): Writable & { bytes(): Buffer } {
  const chunks: Buffer[] = []
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk)
      callback()
    },
  })
  return Object.assign(output, { bytes: () => Buffer.concat(chunks) })
}

/** Every entry of a ZIP, in the order of its central directory, its data inflated. */
export async function readArchive(bytes: Buffer): Promise<ArchiveEntry[]> {
  const zip = await fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true })
  const entries: ArchiveEntry[] = []
  for await (const entry of zip.eachEntry()) {
    const directory = entry.fileName.endsWith('/')
    entries.push({
      name: entry.fileName,
      directory,
      // Buffer decoding keeps a byte-order mark, which TextDecoder would drop.
      text: directory
        ? ''
        : (await buffer(await zip.openReadStreamPromise(entry))).toString('utf8'),
      modifiedAt: entry.getLastModDate(),
      mode: entry.externalFileAttributes >>> 16,
    })
  }
  return entries
}

/**
 * RFC 4180 CSV, read independently of the writer: quoted fields with "" for a quote,
 * CRLF or LF between rows, a leading byte-order mark dropped.
 */
export function parseCsv(csv: string): string[][] {
  const input = csv.startsWith('\uFEFF') ? csv.slice(1) : csv
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let at = 0; at < input.length; at += 1) {
    const character = input.charAt(at)
    if (quoted) {
      if (character === '"' && input.charAt(at + 1) === '"') {
        field += '"'
        at += 1
      } else if (character === '"') quoted = false
      else field += character
    } else if (character === '"') quoted = true
    else if (character === ',') {
      row.push(field)
      field = ''
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && input.charAt(at + 1) === '\n') at += 1
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += character
  }
  if (field !== '' || row.length > 0) rows.push([...row, field])
  return rows
}
