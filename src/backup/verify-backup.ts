import { basename, dirname, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type * as openpgp from 'openpgp'
import { AppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import type { BackupDeps } from './backup.deps.js'
import { selectFileByName } from './backup.repository.js'
import { MeasuringStream, checkSqliteHeader } from './payload-check.js'
import { readDump } from './postgres-dump.js'
import { type PayloadKind, openBackup } from './read-backup.js'

export interface VerifyReport {
  readonly file: string
  readonly kind: PayloadKind
  readonly payloadBytes: number
  readonly payloadSha256: string
  readonly signedBy: string
  /** Whether the instance wrote this file, and its digest matched the one it recorded. */
  readonly matchesRecord: boolean | null
  readonly durationMs: number
}

/**
 * `custodian backup verify F`: decrypts to nowhere, reads the payload to its end
 * (OpenPGP's integrity check and the signature come last), checks the snapshot's own
 * structure (the SQLite header's size, or the dump's framing and digest), and compares
 * the digest with the one recorded when the file was written. Audited either way.
 */
export async function verifyBackup(
  deps: Pick<BackupDeps, 'db' | 'audit'>,
  input: {
    file: string
    identity: readonly openpgp.PrivateKey[]
    signers: readonly openpgp.Key[]
    actor: Actor
  },
): Promise<VerifyReport> {
  const file = resolve(input.file)
  const startedMs = Date.now()
  try {
    const opened = await openBackup(file, input)
    const measured = await readPayload(opened.kind, opened.payload)
    const signedBy = await opened.signedBy
    const recorded = await selectFileByName(deps.db, dirname(file), basename(file))
    const matchesRecord =
      recorded?.payload_sha256 == null ? null : recorded.payload_sha256 === measured.sha256
    if (matchesRecord === false) {
      throw new AppError('invalid_request', 'The backup’s contents differ from what was written')
    }
    const report: VerifyReport = {
      file,
      kind: opened.kind,
      payloadBytes: measured.bytes,
      payloadSha256: measured.sha256,
      signedBy,
      matchesRecord,
      durationMs: Date.now() - startedMs,
    }
    await deps.audit.record({
      workspaceId: null,
      actor: input.actor,
      action: 'backup.verified',
      outcome: 'succeeded',
      resource: { type: 'backup', id: recorded?.id ?? null },
      details: { kind: opened.kind, bytes: measured.bytes, durationMs: report.durationMs },
    })
    return report
  } catch (error) {
    await deps.audit.record({
      workspaceId: null,
      actor: input.actor,
      action: 'backup.verified',
      outcome: 'failed',
      details: { durationMs: Date.now() - startedMs },
    })
    if (error instanceof AppError) throw error
    throw new AppError('invalid_request', 'The backup does not verify: it is damaged or altered', {
      cause: error,
    })
  }
}

/** Reads a payload to its end, checking its structure; answers its size and digest. */
export async function readPayload(
  kind: PayloadKind,
  payload: Readable,
): Promise<{ bytes: number; sha256: string }> {
  const measure = new MeasuringStream()
  const chunks = payload.pipe(measure)
  payload.on('error', (error) => measure.destroy(error))
  if (kind === 'postgres') {
    await readDump(chunks as AsyncIterable<Buffer>)
    return { bytes: measure.bytes, sha256: measure.digest() }
  }
  chunks.resume()
  await finished(chunks)
  if (kind === 'sqlite') {
    const problem = checkSqliteHeader(measure.head, measure.bytes)
    if (problem !== undefined)
      throw new AppError('invalid_request', `The backup does not verify: ${problem}`)
  }
  return { bytes: measure.bytes, sha256: measure.digest() }
}
