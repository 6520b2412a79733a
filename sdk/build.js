// Builds the browser SDK: an ES module and a script-tag (IIFE, global `Custodian`)
// bundle, both minified, and prints their gzipped sizes against the 3 KB goal.
import { mkdirSync, readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const goalBytes = 3 * 1024
const root = new URL('.', import.meta.url).pathname
mkdirSync(`${root}dist`, { recursive: true })
const shared = {
  entryPoints: [`${root}src/index.ts`],
  bundle: true,
  minify: true,
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'warning',
}
await build({ ...shared, format: 'esm', outfile: `${root}dist/custodian.mjs` })
await build({
  ...shared,
  format: 'iife',
  globalName: 'Custodian',
  outfile: `${root}dist/custodian.min.js`,
})
for (const file of ['custodian.mjs', 'custodian.min.js']) {
  const code = readFileSync(`${root}dist/${file}`)
  const gzipped = gzipSync(code, { level: 9 }).length
  const verdict = gzipped <= goalBytes ? 'within' : 'OVER'
  console.log(
    `sdk/dist/${file}: ${code.length} B minified, ${gzipped} B gzipped (${verdict} the ${goalBytes} B goal)`,
  )
}
