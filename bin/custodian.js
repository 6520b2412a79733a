#!/usr/bin/env node
// The `custodian` command. Runs the compiled build, which `npm ci` makes (the `prepare`
// script) and `npm run build` refreshes.
import { existsSync } from 'node:fs'

const entry = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('custodian: not built yet; run `npm run build` (npm ci does it for you)\n')
  process.exit(1)
}
await import(entry.href)
