#!/usr/bin/env node
// Runs the benchmarks in bench/ (every *.bench.ts), or only those whose name contains
// one of the arguments: `npm run bench -- crypto`. Each prints its own figures and the
// ratio to a baseline measured in the same run.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const wanted = process.argv.slice(2)
const all = readdirSync('bench')
  .filter((name) => name.endsWith('.bench.ts'))
  .sort()
const chosen =
  wanted.length === 0 ? all : all.filter((name) => wanted.some((w) => name.includes(w)))
if (chosen.length === 0) {
  console.error(`No benchmark matches ${wanted.join(', ')}; have: ${all.join(', ')}`)
  process.exit(1)
}
let failed = false
for (const name of chosen) {
  console.log(`\n=== bench/${name}`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}`], {
    stdio: 'inherit',
  })
  if (result.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
