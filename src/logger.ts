import { type DestinationStream, type Logger, pino } from 'pino'

/**
 * Structured JSON logs that never carry personal data. Two layers: field redaction by
 * path for the places personal data is known to sit (headers, bodies, contact fields),
 * and a scrub of every string for anything shaped like an email or an IP address, for
 * the places nobody thought of.
 */
export type { Logger } from 'pino'

const personalFields = [
  'email',
  'name',
  'firstName',
  'lastName',
  'fullName',
  'phone',
  'ip',
  'ipAddress',
  'remoteAddress',
  'userAgent',
  'body',
  'text',
  'traits',
  'attributes',
  'properties',
  'password',
  'secret',
  'secretKey',
  'token',
]

// The settings config.ts marks secret, should a configuration object ever be logged: the
// database and SMTP URLs carry passwords.
const secretSettings = ['databaseUrl', 'masterKey', 'smtpUrl']

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-forwarded-for"]',
  'req.headers["x-real-ip"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...personalFields,
  ...personalFields.map((field) => `*.${field}`),
  ...secretSettings,
  ...secretSettings.map((field) => `*.${field}`),
]

const mayHoldAddress = /[@.:]/
// A top-level domain in any script (`.de`, `.рф`, `.テスト`) or as an A-label (`.xn--p1ai`):
// international addresses are accepted (RFC 6531) and must not reach a log either.
const emailPattern = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.(?:xn--[a-z0-9-]+|[\p{L}\p{M}]{2,})/giu
const ipv4Pattern = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g
const ipv6Candidate = /(?<![\w:.])(?:[0-9a-f]{1,4}|:)(?::[0-9a-f]{0,4}){2,7}(?![\w:])/gi

// Addresses of this machine itself say nothing about a person and keep logs useful.
const machineAddresses = new Set(['127.0.0.1', '0.0.0.0', '::1', '::'])

function maskAddress(address: string): string {
  return machineAddresses.has(address) ? address : '[ip]'
}

// A full IPv6 address has seven colons; a shortened one has '::'. Clock times such as
// 12:30:45 have neither and stay.
function maskIpv6(candidate: string): string {
  const colons = candidate.split(':').length - 1
  return candidate.includes('::') || colons === 7 ? maskAddress(candidate) : candidate
}

/** Replaces anything shaped like an email or an IP address in a string. */
export function scrubText(text: string): string {
  // Every pattern needs an @, a dot or a colon: most strings have none and stay as they are.
  if (!mayHoldAddress.test(text)) return text
  return text
    .replace(emailPattern, '[email]')
    .replace(ipv6Candidate, maskIpv6)
    .replace(ipv4Pattern, maskAddress)
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value)
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1))
  if (value instanceof Error) return value
  const scrubbed: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) scrubbed[key] = scrubValue(inner, depth + 1)
  return scrubbed
}

export interface LoggerOptions {
  level: string
  /** Where the JSON lines go; standard output when absent. Tests pass a capture stream. */
  destination?: DestinationStream
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'custodian' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubValue(object, 0) as Record<string, unknown>,
      },
      serializers: {
        err: (error: unknown) => serializeError(error),
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg))
          method.apply(this, scrubbed as Parameters<typeof method>)
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  )
}

/** Errors are logged with their type, code and scrubbed message and stack: never their data. */
function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: scrubText(String(error)) }
  const code = (error as { code?: unknown }).code
  return {
    type: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: scrubText(error.message),
    stack: error.stack ? scrubText(error.stack) : undefined,
  }
}
