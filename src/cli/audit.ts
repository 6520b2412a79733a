import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import type { VerifyProgress, VerifyReport } from '../audit/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

/**
 * `custodian audit verify`: walks the whole audit hash chain and checks every entry,
 * the head and the head's seal. Exits 0 when the chain holds, 1 when it does not, and
 * names the first broken entry. Safe while `serve` runs: entries appended meanwhile are
 * left for the next run.
 *
 * Keep the printed head (seq and hash) somewhere else now and then: a later run that
 * shows the same seq with another hash, or a lower seq, proves the log was rebuilt.
 *
 * @example
 *   npx custodian audit verify
 *   # ok, 18342 entries (head 18342 9c1f…e07a)
 *   npx custodian audit verify --json
 *   # {"ok":false,"entries":16,"head":{...},"firstBroken":{"seq":17,"id":"0196…","reason":"hash mismatch","detail":"…"}}
 */
export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log')
  addCommonOptions(
    audit
      .command('verify')
      .description('check the whole audit hash chain; exit 1 and name the first broken entry'),
  ).action(async (options: CommonOptions) => {
    const config = configFrom(options)
    const progress = progressBar(options)
    const result = await withCliContext(config, async (context) => {
      try {
        return await context.modules.core.audit.verify({ onProgress: progress.update })
      } finally {
        progress.stop()
      }
    })
    report(options, result, describe(result))
    // Not process.exit: standard output must flush first.
    if (!result.ok) process.exitCode = 1
  })
}

export function describe(result: VerifyReport): string {
  if (result.ok) {
    return `ok, ${result.entries} entries (head ${result.head.seq} ${result.head.hash})`
  }
  const broken = result.firstBroken
  if (broken === undefined) return 'broken'
  const entry = broken.id === null ? `entry ${broken.seq}` : `entry ${broken.seq} (${broken.id})`
  return [
    `BROKEN at ${entry}: ${broken.reason}`,
    `  ${broken.detail}`,
    `  ${result.entries} entries before it verified; head ${result.head.seq} ${result.head.hash}`,
  ].join('\n')
}

/** A bar on standard error when a person watches a terminal; nothing otherwise. */
function progressBar(options: CommonOptions): {
  update: (progress: VerifyProgress) => void
  stop: () => void
} {
  if (options.json === true || !process.stderr.isTTY) return { update: () => {}, stop: () => {} }
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'verifying [{bar}] {value}/{total} entries',
    hideCursor: true,
  })
  let started = false
  return {
    update(progress) {
      if (!started) bar.start(progress.total, 0)
      started = true
      bar.update(progress.verified)
    },
    stop() {
      if (started) bar.stop()
      started = false
    },
  }
}
