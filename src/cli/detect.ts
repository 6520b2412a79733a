import type { Command } from 'commander'
import type { CountryCode } from 'libphonenumber-js/max'
import { AppError } from '../errors.js'
import { defaultDetectionThreshold, detectSensitiveData, type Finding } from '../detection/index.js'

interface DetectOptions {
  json?: boolean
  threshold: string
  region?: string
}

/** Text on standard input is read up to this size: a message, a file, not a disk. */
const maxInputBytes = 10 * 1024 * 1024

/**
 * `custodian detect`: the sensitive-data detectors (src/detection) on standard input, with no
 * server and no store, so anyone can check what a message would be flagged for. The
 * same code runs on every message and contact attribute written.
 *
 * @example
 *   echo 'My card is 4111 1111 1111 1111' | npx custodian detect --json
 *   # [{"kind":"card","scheme":"visa","start":11,"end":30,"confidence":0.95}]
 */
export function registerDetectCommand(program: Command): void {
  program
    .command('detect')
    .description('print the sensitive data found in text read on standard input')
    .option('--json', 'machine-readable output: [{kind, scheme?, start, end, confidence}]')
    .option(
      '--threshold <confidence>',
      'the lowest confidence shown, 0 to 1',
      String(defaultDetectionThreshold),
    )
    .option('--region <country>', 'read national phone numbers as this country (e.g. DE)')
    .action(async (options: DetectOptions) => {
      const threshold = Number(options.threshold)
      if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
        throw new AppError('invalid_request', '--threshold is a number from 0 to 1')
      }
      const region = options.region?.toUpperCase()
      if (region !== undefined && !/^[A-Z]{2}$/.test(region)) {
        throw new AppError('invalid_request', '--region is a two-letter country code')
      }
      const text = await readStandardInput()
      const findings = detectSensitiveData(text, {
        threshold,
        ...(region === undefined ? {} : { phoneRegion: region as CountryCode }),
      })
      process.stdout.write(
        options.json ? `${JSON.stringify(findings)}\n` : describeFindings(text, findings),
      )
    })
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += bytes.length
    if (size > maxInputBytes) {
      throw new AppError('payload_too_large', 'detect reads at most 10 MiB of text')
    }
    chunks.push(bytes)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** One line per finding: where (line and column, 1-based), what, how sure. Never the value. */
function describeFindings(text: string, findings: readonly Finding[]): string {
  if (findings.length === 0) return 'Nothing sensitive found.\n'
  const lines = findings.map((finding) => {
    const before = text.slice(0, finding.start)
    const line = before.split('\n').length
    const column = finding.start - before.lastIndexOf('\n')
    const what = finding.scheme === undefined ? finding.kind : `${finding.kind} (${finding.scheme})`
    return `${line}:${column}\t${what}\tconfidence ${finding.confidence.toFixed(2)}\tcharacters ${finding.start}–${finding.end}`
  })
  return `${lines.join('\n')}\n`
}
