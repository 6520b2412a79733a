#!/usr/bin/env node
// `npm audit --omit=dev` for CI: fails on any high or critical advisory in what ships
// (the production dependencies), and lists them. When the registry's audit endpoint
// cannot answer (offline, or a mirror that serves packages but not advisories), it says
// so and exits 0, unless CUSTODIAN_AUDIT_REQUIRED=1: a build must not fail on a network
// it does not control, but the log must show that no audit ran.
import { spawnSync } from 'node:child_process'

const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
  encoding: 'utf8',
  timeout: 120_000,
})
let report
try {
  report = JSON.parse(result.stdout)
} catch {
  report = undefined
}
const counts = report?.metadata?.vulnerabilities
if (counts === undefined) {
  const why = report?.message ?? result.error?.message ?? (result.stderr.trim() || 'no report')
  console.error(`npm audit: the advisory endpoint did not answer (${why}); NO AUDIT RAN`)
  process.exit(process.env.CUSTODIAN_AUDIT_REQUIRED === '1' ? 1 : 0)
}
const serious = Object.values(report.vulnerabilities ?? {}).filter((item) =>
  ['high', 'critical'].includes(item.severity),
)
console.log(
  `npm audit (production dependencies): ${Object.entries(counts)
    .map(([level, count]) => `${level} ${count}`)
    .join(', ')}`,
)
for (const item of serious) {
  console.error(`  ${item.severity}: ${item.name} ${item.range ?? ''}`)
}
process.exit(serious.length > 0 ? 1 : 0)
