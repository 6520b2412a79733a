#!/usr/bin/env node
// Runs the benchmarks in bench/ (every *.bench.ts), or only those whose name contains
// one of the arguments: `npm run bench -- crypto`. Each prints its own figures and the
// ratio to a baseline measured in the same run.
//
// They run compiled by tsc, as the server runs from dist/, not through the tsx loader
// the tests use: tsx wraps every function it emits in a naming helper, which on the hot
// paths measured here costs as much as some of the work.
import { spawnSync } from 'node:child_process'
import { cpSync, readdirSync, statSync } from 'node:fs'

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
const build = spawnSync(
  process.execPath,
  ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.bench.json'],
  { stdio: 'inherit' },
)
if (build.status !== 0) process.exit(build.status ?? 1)
// Files the code reads beside itself (the data map, the DPIA, translations, schemas) are
// found three folders up from the compiled module, as from dist/: copy them over.
cpSync('src', '.bench-build/src', {
  recursive: true,
  filter: (source) => statSync(source).isDirectory() || !/\.(ts|tsx)$/.test(source),
})
let failed = false
for (const name of chosen) {
  console.log(`\n=== bench/${name}`)
  const compiled = `.bench-build/bench/${name.replace(/\.ts$/, '.js')}`
  const result = spawnSync(process.execPath, [compiled], { stdio: 'inherit' })
  if (result.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
