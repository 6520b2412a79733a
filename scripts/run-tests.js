#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's own test runner, TypeScript
// loaded by tsx. Node 20's --test does not expand globs, so the files are listed here.
// Extra arguments narrow the run: `npm test -- src/storage`.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const roots = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('-'))
const searched = roots.length > 0 ? roots : ['src', 'test', 'sdk', 'web']

function findTests(path) {
  let stats
  try {
    stats = statSync(path)
  } catch {
    return []
  }
  if (stats.isFile()) return path.endsWith('.test.ts') ? [path] : []
  return readdirSync(path)
    .filter((name) => name !== 'node_modules' && name !== 'dist')
    .flatMap((name) => findTests(join(path, name)))
}

const files = searched
  .flatMap(findTests)
  .map((file) => relative(process.cwd(), file))
  .sort()
if (files.length === 0) {
  console.error(`No test files found under ${searched.join(', ')}`)
  process.exit(1)
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...flags, ...files],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
