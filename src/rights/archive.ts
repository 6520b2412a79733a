import { addAbortSignal, Readable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import { ZipFile } from 'yazl'
import { AppError } from '../errors.js'
import type { JsonRecord } from '../personal-data/index.js'
import {
  type CollectionSummary,
  renderIndexPage,
  type SourceSummary,
} from './archive.page.logic.js'
import { columnsOf, csvChunks, isSafeEntryName, jsonArrayChunks } from './archive.records.logic.js'
import type { AccessManifest, ArchiveKind } from './manifest.logic.js'

/** One record of the export, as a source hands it to `ExportWriter.add`. */
export interface ArchiveRecord {
  readonly source: string
  readonly collection: string
  readonly record: JsonRecord
}

export interface AccessArchive {
  readonly manifest: AccessManifest
  /** Every record of one source together, as the registry walk writes them. */
  readonly records: AsyncIterable<ArchiveRecord> | Iterable<ArchiveRecord>
}

export interface AccessArchiveOptions {
  /** `portability` (Art. 20) says on the page that it is the data the person provided. */
  readonly kind: ArchiveKind
  /** Records per collection in the page's tables; all are in its JSON and CSV. */
  readonly pageRowsPerCollection?: number
}

export interface ArchiveSummary {
  /** The archive's file names, in the order written. */
  readonly files: readonly string[]
  readonly recordsPerSource: Readonly<Record<string, number>>
}

const defaultPageRowsPerCollection = 500
const fileMode = 0o100644
const folderMode = 0o40755

/**
 * Streams an access (Art. 15) or portability (Art. 20) archive as a ZIP into `output`,
 * and ends it. Nothing lands on disk and the ZIP is never whole in memory: the records
 * of one source are held until the next source begins (a source may interleave its
 * collections), then written as one folder with a `<collection>.json` and a
 * `<collection>.csv` per collection, and the next source is read only once those bytes
 * have gone to `output`, so a slow reader slows the export instead of filling memory.
 * `manifest.json` comes first, `index.html` last (it counts what the archive holds).
 * Every file carries the manifest's generation time, so the same input gives the same
 * bytes (on one host: a ZIP's DOS time field is local time).
 *
 * Once writing has begun, any failure (a source's error, a record that is not JSON, a
 * reader gone away) destroys `output` with the error: a broken archive never looks
 * complete. Refused before anything is written (a kind that differs from the manifest's),
 * `output` is left untouched for the caller to answer with a problem.
 *
 * @example
 *   const reply = new PassThrough()
 *   const writing = writeAccessArchive(reply, { manifest, records }, { kind: 'access' })
 */
export async function writeAccessArchive(
  output: NodeJS.WritableStream,
  archive: AccessArchive,
  options: AccessArchiveOptions,
): Promise<ArchiveSummary> {
  if (archive.manifest.kind !== options.kind) {
    throw new AppError('internal', 'The archive kind differs from its manifest')
  }
  const zip = new ZipFile()
  const failure = new AbortController()
  let firstError: unknown
  const fail = (error: unknown) => {
    if (failure.signal.aborted) return
    firstError = error
    failure.abort(error)
    // Ends the pipeline, which destroys `output` in turn.
    if (zip.outputStream instanceof Readable) zip.outputStream.destroy(errorOf(error))
  }
  zip.on('error', fail)
  const piped = pipeline(zip.outputStream, output).catch(fail)
  const written = writeEntries(zip, archive, options, { signal: failure.signal, fail }).then(
    (summary) => {
      zip.end()
      return summary
    },
    (error: unknown) => {
      fail(error)
      return undefined
    },
  )
  const [summary] = await Promise.all([written, piped])
  if (failure.signal.aborted || summary === undefined) throw errorOf(firstError)
  return summary
}

async function writeEntries(
  zip: ZipFile,
  archive: AccessArchive,
  options: AccessArchiveOptions,
  { signal, fail }: { signal: AbortSignal; fail: (error: unknown) => void },
): Promise<ArchiveSummary> {
  const { manifest } = archive
  const mtime = new Date(manifest.generatedAt)
  const files: string[] = []
  const addText = (name: string, chunks: Iterable<string>): Readable => {
    const stream = addAbortSignal(signal, Readable.from(utf8(chunks), { objectMode: false }))
    // The zip does not listen for its inputs' errors: one left unheard would stall it.
    stream.on('error', fail)
    zip.addReadStream(stream, name, { mtime, mode: fileMode, compress: true })
    files.push(name)
    return stream
  }
  const writeSource = async (source: PendingSource): Promise<SourceSummary> => {
    const collections: CollectionSummary[] = []
    let last: Readable | undefined
    for (const [collection, records] of source.collections) {
      const columns = columnsOf(records)
      addText(`${source.source}/${collection}.json`, jsonArrayChunks(records))
      last = addText(`${source.source}/${collection}.csv`, csvChunks(records, columns))
      const preview = records.slice(
        0,
        options.pageRowsPerCollection ?? defaultPageRowsPerCollection,
      )
      collections.push({ collection, records: records.length, columns, preview })
    }
    // The zip takes its entries in order: the last one read means all were.
    if (last !== undefined) await finished(last)
    return { source: source.source, collections }
  }

  zip.addBuffer(jsonBytes(manifest), 'manifest.json', { mtime, mode: fileMode, compress: true })
  files.push('manifest.json')
  const sources: SourceSummary[] = []
  let pending: PendingSource | undefined
  for await (const item of archive.records) {
    signal.throwIfAborted()
    if (pending?.source !== item.source) {
      if (pending !== undefined) sources.push(await writeSource(pending))
      pending = startSource(item.source, sources)
    }
    collectionOf(pending, item.collection).push(item.record)
  }
  if (pending !== undefined) sources.push(await writeSource(pending))
  // A source that holds nothing for the person is still shown: an empty folder.
  for (const { source } of manifest.sources) {
    if (sources.some((written) => written.source === source)) continue
    checkEntryName(source)
    zip.addEmptyDirectory(`${source}/`, { mtime, mode: folderMode })
    files.push(`${source}/`)
    sources.push({ source, collections: [] })
  }
  const page = renderIndexPage({ kind: options.kind, manifest, sources })
  zip.addBuffer(Buffer.from(page, 'utf8'), 'index.html', { mtime, mode: fileMode, compress: true })
  files.push('index.html')
  return { files, recordsPerSource: recordsPerSourceOf(sources) }
}

interface PendingSource {
  readonly source: string
  /** In the order first seen. */
  readonly collections: Map<string, JsonRecord[]>
}

function startSource(source: string, written: readonly SourceSummary[]): PendingSource {
  checkEntryName(source)
  // Its folder is already written: a second one of the same name would shadow it.
  if (written.some((summary) => summary.source === source)) {
    throw new AppError('internal', 'The records of one export source must arrive together')
  }
  return { source, collections: new Map() }
}

function collectionOf(source: PendingSource, collection: string): JsonRecord[] {
  const found = source.collections.get(collection)
  if (found !== undefined) return found
  checkEntryName(collection)
  const records: JsonRecord[] = []
  source.collections.set(collection, records)
  return records
}

/** Names come from the modules' code, but they become paths on the person's disk. */
function checkEntryName(name: string): void {
  if (!isSafeEntryName(name)) {
    throw new AppError('internal', 'An export source or collection name is not a safe file name')
  }
}

function recordsPerSourceOf(sources: readonly SourceSummary[]): Record<string, number> {
  return Object.fromEntries(
    sources.map(({ source, collections }) => [
      source,
      collections.reduce((sum, collection) => sum + collection.records, 0),
    ]),
  )
}

function* utf8(chunks: Iterable<string>): Generator<Buffer> {
  for (const chunk of chunks) yield Buffer.from(chunk, 'utf8')
}

function jsonBytes(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8')
}

function errorOf(error: unknown): Error {
  return error instanceof Error ? error : new Error('The archive could not be written')
}
