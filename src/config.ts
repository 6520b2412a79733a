import { isAbsolute, resolve } from 'node:path'
import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'
import {
  checkSenderForEndpoint,
  defaultMailFrom,
  parseMailFrom,
  parseSmtpUrl,
} from './mail/index.js'

/**
 * Configuration is read once, from flags and then the environment, validated with the
 * same schema library as the HTTP edge, frozen, and passed down. A bad value stops
 * start-up with a message that names the setting and never echoes a secret.
 */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

// Addresses or CIDR ranges of the reverse proxies in front, comma-separated.
const trustProxyPattern = '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?(\\s*,\\s*[0-9A-Fa-f:.]+(/[0-9]{1,3})?)*$'

const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  dataDir: Type.String({ minLength: 1 }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  masterKey: Type.Optional(Type.String({ minLength: 1 })),
  masterKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  publicKeyRate: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  publicKeyBurst: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
  adminToken: Type.Optional(Type.String({ minLength: 32, maxLength: 200, pattern: '^\\S+$' })),
  region: Type.String({ pattern: '^[a-z]{2,3}(-[a-z0-9]{1,16})?$' }),
  logLevel: Type.Union(logLevels.map((level) => Type.Literal(level))),
  bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 }),
  publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  tlsCertFile: Type.Optional(Type.String({ minLength: 1 })),
  tlsKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  trustProxy: Type.Optional(Type.String({ pattern: trustProxyPattern })),
  smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  mailFrom: Type.String({ minLength: 1 }),
  enrichmentDirectory: Type.Optional(Type.String({ minLength: 1 })),
  enrichmentUrl: Type.Optional(Type.String({ pattern: '^https://[^\\s]+$' })),
  backupDir: Type.Optional(Type.String({ minLength: 1 })),
  backupTime: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
  backupRecipients: Type.Optional(Type.String({ minLength: 1 })),
  backupRetentionDays: Type.Integer({ minimum: 1, maximum: 7 }),
  backupRegion: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}(-[a-z0-9]{1,16})?$' })),
  backupHost: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.:\\[\\]-]+$' })),
  breachRulesFile: Type.Optional(Type.String({ minLength: 1 })),
  auditRetentionDays: Type.Optional(Type.Integer({ minimum: 365, maximum: 36_500 })),
  // HTTPS, or plain HTTP to this machine's loopback only (a local relay, a test).
  alertWebhookUrl: Type.Optional(
    Type.String({
      pattern:
        '^(https://[^\\s]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]{1,5})?(/[^\\s]*)?)$',
    }),
  ),
})

export type Config = Readonly<Static<typeof ConfigSchema>>

/** Where each setting comes from: its flag, its environment variable, its default. */
const settings = {
  port: { flag: '--port', env: 'PORT', default: 8080, numeric: true },
  host: { flag: '--host', env: 'HOST', default: '127.0.0.1' },
  dataDir: { flag: '--data', env: 'DATA_DIR', default: './data' },
  databaseUrl: { flag: '--database-url', env: 'DATABASE_URL', secret: true },
  masterKey: { env: 'CUSTODIAN_MASTER_KEY', secret: true },
  masterKeyFile: { flag: '--master-key-file', env: 'CUSTODIAN_MASTER_KEY_FILE' },
  // The platform admin's Bearer token for the instance's own routes (GET
  // /v1/system/backups); unset, those routes answer no one. At least 32 characters.
  adminToken: { env: 'CUSTODIAN_ADMIN_TOKEN', secret: true },
  // Requests per second (sustained) and at once (burst) one address may send with one
  // workspace's public key: ingest, consent and the visitor's inbox (identity's limiter).
  publicKeyRate: { env: 'CUSTODIAN_PUBLIC_KEY_RATE', default: 50, numeric: true },
  publicKeyBurst: { env: 'CUSTODIAN_PUBLIC_KEY_BURST', default: 500, numeric: true },
  region: { flag: '--region', env: 'CUSTODIAN_REGION', default: 'eu' },
  logLevel: { flag: '--log-level', env: 'LOG_LEVEL', default: 'info' },
  bodyLimitBytes: {
    flag: '--body-limit',
    env: 'CUSTODIAN_BODY_LIMIT_BYTES',
    default: 1024 * 1024,
    numeric: true,
  },
  publicUrl: { flag: '--public-url', env: 'CUSTODIAN_PUBLIC_URL' },
  tlsCertFile: { flag: '--tls-cert', env: 'CUSTODIAN_TLS_CERT_FILE' },
  tlsKeyFile: { flag: '--tls-key', env: 'CUSTODIAN_TLS_KEY_FILE' },
  // Only these proxies' X-Forwarded-For is believed: a visitor's IP (tracking, consent
  // proof, audit) would otherwise be the proxy's, and trusting everyone lets anyone lie.
  trustProxy: { env: 'CUSTODIAN_TRUST_PROXY' },
  // Unset: mail (verification codes, notices to data subjects) is written to
  // <data>/outbox as .eml files and not delivered. The URL carries the SMTP password.
  smtpUrl: { env: 'CUSTODIAN_SMTP_URL', secret: true },
  mailFrom: { env: 'CUSTODIAN_MAIL_FROM', default: defaultMailFrom },
  // The inbox's enrichment providers: a JSON Lines directory file read offline, and an
  // HTTP service the transfer guard must allow before any email is sent to it.
  enrichmentDirectory: { env: 'CUSTODIAN_ENRICHMENT_DIRECTORY' },
  enrichmentUrl: { env: 'CUSTODIAN_ENRICHMENT_URL' },
  // Backups (src/backup): `serve` makes one daily at this UTC time into the directory
  // (default <data>/backups), encrypted to these OpenPGP public key files
  // (comma-separated; none: no daily backup), kept this many days.
  backupDir: { env: 'CUSTODIAN_BACKUP_DIR' },
  backupTime: { env: 'CUSTODIAN_BACKUP_TIME', default: '02:30' },
  backupRecipients: { env: 'CUSTODIAN_BACKUP_RECIPIENTS' },
  backupRetentionDays: { env: 'CUSTODIAN_BACKUP_RETENTION_DAYS', default: 7, numeric: true },
  // Where the backup directory's storage lies (default: the instance region), and the
  // host it is mounted from when not this machine (checked by the transfer guard).
  backupRegion: { env: 'CUSTODIAN_BACKUP_REGION' },
  backupHost: { env: 'CUSTODIAN_BACKUP_HOST' },
  // The breach detection thresholds (a JSON file; breach/breach-rules.ts has the
  // defaults), and where alerts are posted, through the transfer guard.
  breachRulesFile: { env: 'CUSTODIAN_BREACH_RULES_FILE' },
  alertWebhookUrl: { env: 'CUSTODIAN_ALERT_WEBHOOK_URL' },
  // Unset: the audit log is kept whole. Set: entries older than this many days are
  // removed by retention, the chain anchored where they end (audit/anchor.ts).
  auditRetentionDays: { env: 'CUSTODIAN_AUDIT_RETENTION_DAYS', numeric: true },
} as const satisfies Record<keyof Static<typeof ConfigSchema>, SettingSource>

interface SettingSource {
  flag?: string
  env: string
  default?: string | number
  numeric?: boolean
  secret?: boolean
}

export type ConfigFlags = Partial<Record<keyof typeof settings, string | number | undefined>>

export class ConfigError extends Error {
  readonly setting: string
  constructor(setting: string, message: string) {
    super(`Invalid configuration: ${setting} ${message}`)
    this.name = 'ConfigError'
    this.setting = setting
  }
}

export function loadConfig(
  options: { env?: NodeJS.ProcessEnv; flags?: ConfigFlags; cwd?: string } = {},
): Config {
  const env = options.env ?? process.env
  const flags = options.flags ?? {}
  const raw: Record<string, unknown> = {}
  for (const [key, source] of Object.entries(settings) as [
    keyof typeof settings,
    SettingSource,
  ][]) {
    const value = pickValue(flags[key], env[source.env], source.default)
    if (value === undefined) continue
    raw[key] = source.numeric ? parseInteger(value, describe(source)) : value
  }
  assertValid(raw)
  if (raw.masterKey !== undefined && raw.masterKeyFile !== undefined) {
    throw new ConfigError(
      'CUSTODIAN_MASTER_KEY',
      'and CUSTODIAN_MASTER_KEY_FILE are both set: keep exactly one',
    )
  }
  if ((raw.tlsCertFile === undefined) !== (raw.tlsKeyFile === undefined)) {
    throw new ConfigError(
      'CUSTODIAN_TLS_CERT_FILE (--tls-cert)',
      'and CUSTODIAN_TLS_KEY_FILE (--tls-key) go together: set both or neither',
    )
  }
  // assertValid has checked both against the schema.
  checkMailSettings(raw as Pick<Static<typeof ConfigSchema>, 'mailFrom' | 'smtpUrl'>)
  const cwd = options.cwd ?? process.cwd()
  const dataDir = String(raw.dataDir)
  raw.dataDir = isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir)
  return Object.freeze(raw as Static<typeof ConfigSchema>)
}

/** The SMTP URL and the sender, read by the mail module's own parsers. */
function checkMailSettings(mail: { mailFrom: string; smtpUrl?: string | undefined }): void {
  const sender = parseMailFrom(mail.mailFrom)
  if (!sender.ok) {
    throw new ConfigError(
      'CUSTODIAN_MAIL_FROM',
      `${sender.problem} (got ${JSON.stringify(mail.mailFrom)})`,
    )
  }
  if (mail.smtpUrl === undefined) return
  // The URL holds the password: a problem names the setting and never quotes the value.
  const endpoint = parseSmtpUrl(mail.smtpUrl)
  if (!endpoint.ok) throw new ConfigError('CUSTODIAN_SMTP_URL', endpoint.problem)
  const mismatch = checkSenderForEndpoint(sender.value, endpoint.value)
  if (mismatch !== undefined) throw new ConfigError('CUSTODIAN_MAIL_FROM', mismatch)
}

function pickValue(
  flag: string | number | undefined,
  fromEnv: string | undefined,
  fallback: string | number | undefined,
): string | number | undefined {
  if (flag !== undefined && flag !== '') return flag
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  return fallback
}

function parseInteger(value: string | number, setting: string): number {
  if (typeof value === 'number') return value
  if (!/^\d+$/.test(value.trim())) throw new ConfigError(setting, 'must be a whole number')
  return Number(value.trim())
}

function describe(source: SettingSource): string {
  return source.flag ? `${source.env} (${source.flag})` : source.env
}

function assertValid(raw: Record<string, unknown>): void {
  const first = Value.Errors(ConfigSchema, raw)[0]
  if (first === undefined) return
  const key = first.instancePath.split('/')[1] as keyof typeof settings | undefined
  const source: SettingSource | undefined = key ? settings[key] : undefined
  if (source === undefined) throw new ConfigError('configuration', first.message)
  // A secret is never echoed, not even when it is wrong.
  const shown = source.secret ? '' : ` (got ${JSON.stringify(raw[key as string])})`
  throw new ConfigError(describe(source), `${explain(key as keyof typeof settings)}${shown}`)
}

function explain(key: keyof typeof settings): string {
  switch (key) {
    case 'port':
      return 'must be a port number from 0 to 65535'
    case 'databaseUrl':
      return 'must be a postgres:// or postgresql:// URL'
    case 'region':
      return 'must be a lower-case region code such as eu or eu-west'
    case 'logLevel':
      return `must be one of ${logLevels.join(', ')}`
    case 'publicUrl':
      return 'must be an http:// or https:// URL'
    case 'bodyLimitBytes':
      return 'must be a number of bytes from 1024 to 67108864'
    case 'smtpUrl':
      return 'must be an smtp:// (STARTTLS) or smtps:// (TLS) URL, e.g. smtps://user:password@mail.example.com'
    case 'backupTime':
      return 'must be a time of day in UTC, HH:MM (e.g. 02:30)'
    case 'backupRetentionDays':
      return 'must be a number of days from 1 to 7: the backup policy retains backups for a maximum of 1 week ("All platform backups are GPG/PGP-encrypted and stored privately, retained for a maximum of 1 week")'
    case 'backupRegion':
      return 'must be a lower-case region or country code such as eu or de'
    case 'backupHost':
      return 'must be a host name or address'
    case 'trustProxy':
      return 'must list proxy addresses or CIDR ranges, comma-separated (e.g. 10.0.0.0/8,::1)'
    default:
      return 'must not be empty'
  }
}
