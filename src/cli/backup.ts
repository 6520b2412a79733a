import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import { createAuditLog } from '../audit/index.js'
import {
  armoredOf,
  createBackup,
  listBackups,
  readIdentityKeys,
  readPublicKeys,
  readRecipientKeys,
  restoreBackup,
  type RestoreTarget,
  signingKeyFileName,
  signingPublicKeys,
  type TargetModules,
  verifyBackup,
} from '../backup/index.js'
import { systemClock } from '../clock.js'
import type { Config } from '../config.js'
import { openKeyring } from '../crypto/index.js'
import { AppError } from '../errors.js'
import type { Logger } from '../logger.js'
import { createLogger } from '../logger.js'
import { createModules } from '../modules.js'
import { sealedColumnsOfModules } from '../personal-data-sources.js'
import { openPostgres, openSqlite, type Storage } from '../storage/index.js'
import { pino } from 'pino'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface CreateOptions extends CommonOptions {
  recipient: string[]
  out?: string
}

interface VerifyOptions extends CommonOptions {
  identity: string
  signer?: string[]
}

interface RestoreOptions extends CommonOptions {
  identity: string
  signer?: string[]
  vault?: string
}

const collect = (value: string, previous: string[] = []) => [...previous, value]

/**
 * `custodian backup create|list|verify|restore`: OpenPGP-encrypted, signed snapshots
 * that GnuPG decrypts (`gpg --decrypt F > custodian.sqlite`), kept at most a week.
 *
 * @example
 *   custodian backup create --recipient ops.asc --out /srv/backups
 *   custodian backup verify /srv/backups/custodian-20261206T023000Z-1a2b3c4d.sqlite.pgp --identity ops-secret.asc
 *   custodian backup restore /srv/backups/custodian-….sqlite.pgp --identity ops-secret.asc --data ./restored
 */
export function registerBackupCommand(program: Command): void {
  const backup = program.command('backup').description('OpenPGP-encrypted backups')
  addCommonOptions(
    backup
      .command('create')
      .description('encrypt a consistent snapshot to the recipients, signed by this instance')
      .requiredOption('--recipient <file>', 'an OpenPGP public key file (repeatable)', collect)
      .option('--out <dir>', 'destination directory (CUSTODIAN_BACKUP_DIR)'),
  ).action(async (options: CreateOptions) => {
    const files = options.recipient.map((file) => readFileSync(file))
    const recipients = await readRecipientKeys(files)
    const bar = progressBar(options, 'backup')
    const result = await withCliContext(configFrom(options), async (context) =>
      createBackup(context.modules.backup, {
        recipients,
        recipientKeys: await armoredOf(recipients),
        directory: options.out,
        actor: context.actor,
        onProgress: bar.update,
      }),
    ).finally(bar.stop)
    report(
      options,
      result,
      `Backup written: ${result.file} (${String(result.sizeBytes)} bytes, ${String(result.durationMs)} ms); key vault ${result.vault.file}`,
    )
  })

  addCommonOptions(backup.command('list').description('backups written, newest first')).action(
    async (options: CommonOptions) => {
      const rows = await withCliContext(configFrom(options), (context) =>
        listBackups(context.modules.backup),
      )
      report(
        options,
        rows,
        rows
          .map(
            (row) =>
              `${row.startedAt}  ${row.kind}  ${row.status}  ${String(row.sizeBytes ?? '-')} bytes  ${row.directory}/${row.file}`,
          )
          .join('\n') || 'No backups yet',
      )
    },
  )

  addCommonOptions(
    backup
      .command('verify')
      .argument('<file>', 'the backup file')
      .description('decrypt to nowhere; check the signature and the snapshot')
      .requiredOption('--identity <file>', 'the recipient’s OpenPGP secret key')
      .option('--signer <file>', 'a signing public key to trust besides this instance’s', collect),
  ).action(async (file: string, options: VerifyOptions) => {
    const identity = await readIdentityKeys(readFileSync(options.identity))
    const extra = await extraSigners(options.signer)
    const result = await withCliContext(configFrom(options), async (context) =>
      verifyBackup(context.modules.backup, {
        file,
        identity,
        signers: [...(await signingPublicKeys(context.modules.backup)).keys, ...extra],
        actor: context.actor,
      }),
    )
    report(
      options,
      result,
      `Backup verified: ${result.kind}, ${String(result.payloadBytes)} bytes, signed by ${result.signedBy}`,
    )
  })

  addCommonOptions(
    backup
      .command('restore')
      .argument('<file>', 'the backup file')
      .description(
        'restore into an empty data directory (--data) or PostgreSQL database (--database-url)',
      )
      .requiredOption('--identity <file>', 'the recipient’s OpenPGP secret key')
      .option(
        '--signer <file>',
        'the instance’s signing public key (default: beside the backup)',
        collect,
      )
      .option('--vault <file>', 'the key vault (default: the newest beside the backup)'),
  ).action(async (file: string, options: RestoreOptions) => {
    const identity = await readIdentityKeys(readFileSync(options.identity))
    const config = configFrom(options)
    const target: RestoreTarget =
      config.databaseUrl === undefined
        ? { dialect: 'sqlite', directory: config.dataDir, fileName: 'custodian.sqlite' }
        : { dialect: 'postgres', connectionString: config.databaseUrl }
    const signers = await extraSigners(options.signer ?? [signingKeyBeside(file)])
    const logger = createLogger({
      level: config.logLevel === 'info' ? 'warn' : config.logLevel,
      destination: pino.destination({ dest: 2, sync: true }),
    })
    const bar = progressBar(options, 'restore')
    const total = statSync(file).size
    const result = await restoreBackup({
      file,
      vaultFile: options.vault,
      identity,
      signers,
      target,
      actor: { actorType: 'system', actorId: null },
      openTarget: openRestoreTarget,
      openTargetModules: targetModulesOpener(config, logger),
      // The encrypted file's size is the clear snapshot's, within a few hundred bytes.
      onProgress: (done) => bar.update(done, total),
    }).finally(bar.stop)
    report(
      options,
      result,
      `Restored ${String(result.snapshotBytes)} bytes with ${String(result.subjectKeys)} subject keys; ${String(result.erasuresReplayed)} erasures replayed`,
    )
  })
}

async function extraSigners(files: readonly string[] | undefined) {
  const keys = []
  for (const file of files ?? []) keys.push(...(await readPublicKeys(readFileSync(file, 'utf8'))))
  return keys
}

/** The public key `backup create` leaves in the destination, for restores away from the instance. */
export function signingKeyBeside(file: string): string {
  return resolve(file, '..', signingKeyFileName)
}

/** The restore target as a store: a new SQLite file, or the PostgreSQL database. */
export function openRestoreTarget(target: RestoreTarget): Storage {
  return target.dialect === 'sqlite'
    ? openSqlite(target.directory, target.fileName)
    : openPostgres({
        connectionString: target.connectionString,
        ...(target.schema === undefined ? {} : { schema: target.schema }),
      })
}

/** The restored store's modules (keyring on the same master key, its audit log, the registry). */
export function targetModulesOpener(
  config: Config,
  logger: Logger,
): (storage: Storage) => Promise<TargetModules> {
  return async (storage) => {
    const clock = systemClock
    const keyring = await openKeyring({
      storage,
      config,
      logger,
      clock,
      sealedColumns: sealedColumnsOfModules(),
    }).catch((error: unknown) => {
      throw new AppError(
        'master_key_mismatch',
        'The restored keys do not open with this master key: give the instance’s master key (CUSTODIAN_MASTER_KEY or --master-key-file)',
        { cause: error },
      )
    })
    const audit = createAuditLog({ db: storage.db, keyring, clock, logger })
    const modules = createModules({
      config,
      storage,
      keyring,
      audit,
      clock,
      logger,
      publicUrl: () => config.publicUrl ?? '',
    })
    return {
      subjects: modules.subjects,
      audit,
      async close() {
        await modules.close()
        await audit.close()
        await keyring.close()
      },
    }
  }
}

/** A bar on standard error when a person watches a terminal; nothing otherwise. */
function progressBar(
  options: CommonOptions,
  label: string,
): { update: (done: number, total: number) => void; stop: () => void } {
  if (options.json === true || !process.stderr.isTTY) return { update: () => {}, stop: () => {} }
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% {megabytes} MB`,
    hideCursor: true,
  })
  let started = false
  return {
    update(done, total) {
      const megabytes = (done / 1e6).toFixed(0)
      if (!started) {
        bar.start(Math.max(total, done, 1), done, { megabytes })
        started = true
      }
      bar.setTotal(Math.max(total, done, 1))
      bar.update(done, { megabytes })
    },
    stop() {
      if (started) bar.stop()
    },
  }
}
