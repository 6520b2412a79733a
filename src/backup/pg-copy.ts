import { once } from 'node:events'
import { Readable } from 'node:stream'
import type pg from 'pg'

/**
 * PostgreSQL's COPY protocol over a `pg` client, without another dependency: `pg` hands
 * the copy messages to whatever query object it runs (a "submittable"), and these two
 * speak it. COPY TO STDOUT streams a table out with back-pressure (the socket pauses
 * while the reader is full); COPY FROM STDIN streams one in.
 */

interface CopyConnection {
  query(text: string): void
  sendCopyFromChunk(chunk: Buffer): void
  endCopyFrom(): void
  sendCopyFail(message: string): void
  stream: NodeJS.ReadableStream & NodeJS.WritableStream & { writableNeedDrain?: boolean }
}

// Rows arrive as one small message each; they are gathered into chunks of this size.
const gatherBytes = 128 * 1024

/** `COPY … TO STDOUT` as a readable stream of the bytes PostgreSQL sends. */
export class CopyOut extends Readable implements pg.Submittable {
  readonly #text: string
  #connection: CopyConnection | undefined
  // Rows are copied once, into this chunk, which is handed on when full.
  #gathered: Buffer = Buffer.allocUnsafe(gatherBytes)
  #gatheredBytes = 0
  readonly #settled: Promise<void>
  #resolve: () => void = () => {}
  #reject: (error: Error) => void = () => {}

  constructor(text: string) {
    super({ highWaterMark: 2 * gatherBytes })
    this.#text = text
    this.#settled = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    this.#settled.catch(() => {})
  }

  /** Resolves once PostgreSQL has finished the statement. */
  get finished(): Promise<void> {
    return this.#settled
  }

  submit(connection: unknown): void {
    this.#connection = connection as CopyConnection
    this.#connection.query(this.#text)
  }

  handleCopyData(message: { chunk: Buffer }): void {
    // pg's parser may reuse its buffer: the bytes are copied before they are kept.
    const row = message.chunk
    if (this.#gatheredBytes + row.length > this.#gathered.length) this.#flush()
    if (row.length > this.#gathered.length) {
      if (!this.push(Buffer.from(row))) this.#connection?.stream.pause()
      return
    }
    row.copy(this.#gathered, this.#gatheredBytes)
    this.#gatheredBytes += row.length
  }

  #flush(): void {
    if (this.#gatheredBytes === 0) return
    const chunk = this.#gathered.subarray(0, this.#gatheredBytes)
    this.#gathered = Buffer.allocUnsafe(gatherBytes)
    this.#gatheredBytes = 0
    if (!this.push(chunk)) this.#connection?.stream.pause()
  }

  override _read(): void {
    this.#connection?.stream.resume()
  }

  handleCommandComplete(): void {
    this.#flush()
  }

  handleReadyForQuery(): void {
    this.#flush()
    this.push(null)
    this.#resolve()
  }

  handleError(error: Error): void {
    this.#connection?.stream.resume()
    this.#reject(error)
    this.destroy(error)
  }

  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: CopyConnection): void {
    connection.sendCopyFail('not a COPY FROM statement')
  }
}

/** `COPY … FROM STDIN`: `write` the bytes, then `end`; resolves when PostgreSQL took them. */
export class CopyIn implements pg.Submittable {
  readonly #text: string
  #connection: CopyConnection | undefined
  readonly #ready: Promise<void>
  readonly #settled: Promise<void>
  #onReady: () => void = () => {}
  #resolve: () => void = () => {}
  #reject: (error: Error) => void = () => {}
  #failed: Error | undefined

  constructor(text: string) {
    this.#text = text
    this.#ready = new Promise((resolve) => {
      this.#onReady = resolve
    })
    this.#settled = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    this.#settled.catch(() => {})
  }

  submit(connection: unknown): void {
    this.#connection = connection as CopyConnection
    this.#connection.query(this.#text)
  }

  handleCopyInResponse(): void {
    this.#onReady()
  }

  async write(chunk: Buffer): Promise<void> {
    await Promise.race([this.#ready, this.#settled])
    if (this.#failed !== undefined) throw this.#failed
    const connection = this.#connection
    if (connection === undefined) throw new Error('COPY FROM STDIN did not start')
    connection.sendCopyFromChunk(chunk)
    if (connection.stream.writableNeedDrain === true) await once(connection.stream, 'drain')
  }

  async end(): Promise<void> {
    await Promise.race([this.#ready, this.#settled])
    if (this.#failed === undefined) this.#connection?.endCopyFrom()
    await this.#settled
  }

  handleError(error: Error): void {
    this.#failed = error
    this.#onReady()
    this.#reject(error)
  }

  handleReadyForQuery(): void {
    this.#resolve()
  }

  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}
