import { randomBytes } from 'node:crypto'
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { type Config, ConfigError } from '../config.js'
import { AppError } from '../errors.js'
import type { Logger } from '../logger.js'
import { masterKeyLength } from './local-key-provider.js'

export const masterKeyFileName = 'master.key'

const base64Key = /^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}=?$/

export interface MasterKeySource {
  config: Pick<Config, 'masterKey' | 'masterKeyFile' | 'databaseUrl' | 'dataDir'>
  logger: Logger
  /** Whether the database already holds keys (a key check): then a key is never made. */
  databaseHasKeys: boolean
}

/**
 * Finds the 256-bit master key: `CUSTODIAN_MASTER_KEY` (base64), else the file named by
 * `CUSTODIAN_MASTER_KEY_FILE`, else, for the embedded SQLite store only, `master.key`
 * in the data directory, made on first start. PostgreSQL never gets a made-up key:
 * every node sharing the database must use the same one, so it has to be configured.
 */
export function resolveMasterKey(source: MasterKeySource): Buffer {
  const { config, logger } = source
  if (config.masterKey !== undefined) return parseKey(config.masterKey, 'CUSTODIAN_MASTER_KEY')
  if (config.masterKeyFile !== undefined) {
    return readKeyFile(config.masterKeyFile, 'CUSTODIAN_MASTER_KEY_FILE', logger)
  }
  if (config.databaseUrl !== undefined) {
    throw new ConfigError(
      'CUSTODIAN_MASTER_KEY',
      'or CUSTODIAN_MASTER_KEY_FILE must be set when DATABASE_URL is set: every node that shares the database needs the same master key',
    )
  }
  const path = join(config.dataDir, masterKeyFileName)
  if (fileExists(path)) return readKeyFile(path, path, logger)
  if (source.databaseHasKeys) {
    // Making a new key now would leave every existing key unreadable.
    throw new AppError(
      'master_key_mismatch',
      `The database holds keys but the master key file ${path} is missing: restore it from its backup or set CUSTODIAN_MASTER_KEY or CUSTODIAN_MASTER_KEY_FILE`,
    )
  }
  const key = createKeyFile(path, config.dataDir)
  logger.warn(
    { path },
    'made a new master key next to the data; in production keep the master key elsewhere (CUSTODIAN_MASTER_KEY_FILE on another volume, or a KMS) and back it up: without it the data cannot be read',
  )
  return key
}

/** Whether the master key comes from `master.key` in the data directory (the embedded default). */
export function usesDataDirKeyFile(
  config: Pick<Config, 'masterKey' | 'masterKeyFile' | 'databaseUrl'>,
): boolean {
  return (
    config.masterKey === undefined &&
    config.masterKeyFile === undefined &&
    config.databaseUrl === undefined
  )
}

/** A new `master.key`, written and synced beside the old one, not yet in its place. */
interface StagedKeyFile {
  readonly path: string
  /** Renames it over `master.key` and syncs the directory: readers see old or new, whole. */
  install(): void
  /** Removes it (the change did not happen). */
  discard(): void
}

/**
 * Stages `key` as the data directory's next `master.key`: a private temporary file,
 * written and synced now, so that once the database has switched keys only a rename
 * is left to do, and a full or read-only disk shows before anything changed.
 */
export function stageDataDirKeyFile(dataDir: string, key: Buffer): StagedKeyFile {
  const path = join(dataDir, masterKeyFileName)
  const temporary = writePrivateTemporary(path, key)
  return {
    path,
    install() {
      renameSync(temporary, path)
      syncDirectory(dataDir)
    },
    discard() {
      unlinkSync(temporary)
    },
  }
}

/** A key as base64 text (the form written to key files), for `openssl rand -base64 32`. */
export function encodeMasterKey(key: Buffer): string {
  return key.toString('base64')
}

function parseKey(text: string, setting: string): Buffer {
  const trimmed = text.trim()
  // The value is a secret: the message says what is wrong, never what was given.
  if (!base64Key.test(trimmed)) {
    throw new ConfigError(setting, `must be ${masterKeyLength} bytes in base64 (44 characters)`)
  }
  return Buffer.from(trimmed, 'base64')
}

export function readKeyFile(path: string, setting: string, logger: Logger): Buffer {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read'
    throw new ConfigError(setting, `names a key file that ${reason}: ${path}`)
  }
  warnIfShared(path, logger)
  // `head -c 32 /dev/urandom > key` gives raw bytes; `openssl rand -base64 32` gives text.
  if (bytes.length === masterKeyLength) return bytes
  const key = parseKey(bytes.toString('latin1'), setting)
  bytes.fill(0)
  return key
}

/**
 * Writes `key` to a new temporary file beside `path`, readable by this user only, and
 * syncs it; returns its name. Nothing is left behind if the write fails.
 */
function writePrivateTemporary(path: string, key: Buffer): string {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const descriptor = openSync(temporary, 'wx', 0o600)
  try {
    writeSync(descriptor, `${encodeMasterKey(key)}\n`)
    fsyncSync(descriptor)
  } catch (error) {
    closeSync(descriptor)
    unlinkSync(temporary)
    throw error
  }
  closeSync(descriptor)
  return temporary
}

function warnIfShared(path: string, logger: Logger): void {
  if (process.platform === 'win32') return
  if ((statSync(path).mode & 0o077) !== 0) {
    logger.warn({ path }, 'the master key file can be read by other users: chmod 600 it')
  }
}

/**
 * Writes a fresh key so that a reader never sees half a file and two processes starting
 * at once agree on one key: the key goes to a private temporary file, is synced, then
 * hard-linked into place, which fails if another process got there first; that
 * process's key is then the key.
 */
function createKeyFile(path: string, dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const key = randomBytes(masterKeyLength)
  const temporary = writePrivateTemporary(path, key)
  try {
    linkSync(temporary, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    key.fill(0)
    return parseKey(readFileSync(path, 'latin1'), path)
  } finally {
    unlinkSync(temporary)
  }
  syncDirectory(dataDir)
  return key
}

function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return
  const descriptor = openSync(dir, 'r')
  try {
    fsyncSync(descriptor)
  } finally {
    closeSync(descriptor)
  }
}

function fileExists(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}
