import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/** File names and file handling of a destination directory. */

export const snapshotSuffixes = { sqlite: '.sqlite.pgp', postgres: '.pgdump.pgp' } as const
/**
 * Bytes read, encrypted and written at a time. Small enough that the buffers between the
 * stages stay a few MB (a backup's memory does not grow with the store), large enough
 * that the per-chunk costs of the stream stages vanish.
 */
export const chunkBytes = 256 * 1024

export const vaultSuffix = '.keys.pgp'
/** The instance's signing public key, left beside its backups for restores elsewhere. */
export const signingKeyFileName = 'custodian-backup-signing-key.asc'
const partialSuffix = '.partial'

/** `custodian-20261206T021500Z-1a2b3c4d` + suffix: sorts by time, never collides. */
export function backupFileName(at: Date, suffix: string): string {
  const stamp = at
    .toISOString()
    .replaceAll(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')
  return `custodian-${stamp}-${randomBytes(4).toString('hex')}${suffix}`
}

export function ensureDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 })
}

/**
 * Writes a stream to `directory/fileName` so that the name only ever shows a whole file:
 * written under a temporary name, flushed to disk, then renamed. Answers its size.
 */
export async function writeWhole(
  directory: string,
  fileName: string,
  content: Readable,
): Promise<number> {
  const path = join(directory, fileName)
  const partial = `${path}${partialSuffix}`
  try {
    await pipeline(content, createWriteStream(partial, { mode: 0o600, highWaterMark: chunkBytes }))
    const handle = await open(partial, 'r+')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(partial, path)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
  return (await stat(path)).size
}

/**
 * Destroys a file: overwrites it once with random bytes, flushes that to disk, then
 * deletes it. Answers how many bytes it held (0 when it was already gone). On a
 * copy-on-write or log-structured file system, or an SSD that remaps blocks, the old
 * blocks may outlive this; the README says so.
 */
export async function destroyFile(path: string): Promise<number> {
  let handle
  try {
    handle = await open(path, 'r+')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw error
  }
  let size = 0
  try {
    size = (await handle.stat()).size
    const block = Buffer.allocUnsafe(Math.min(size, 1 << 20))
    for (let at = 0; at < size; at += block.length) {
      randomBytes(block.length).copy(block)
      await handle.write(block, 0, Math.min(block.length, size - at), at)
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rm(path, { force: true })
  return size
}
