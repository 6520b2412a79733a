import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { describe, test } from 'node:test'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'

/**
 * The module-surface rule (eslint/module-surfaces.js) as `npm run lint` runs it: a file
 * of one module that reaches into another's internals fails, through the index passes,
 * and the named seams pass.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
// The project's own configuration, with type-aware rules off: the probes are files that
// exist only in memory, so no TypeScript project holds them.
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked })

async function problemsOf(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}src/${file}` })
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'custodian/module-surface')
    .map((message) => message.message)
}

describe('module surfaces', () => {
  test('reaching into another module fails the lint', async () => {
    const problems = await problemsOf(
      'audit/probe.ts',
      "import { findContact } from '../contacts/contacts.repository.js'\nexport const probe = findContact\n",
    )
    assert.equal(problems.length, 1)
    assert.match(problems[0] ?? '', /contacts\/index\.js/)
  })

  test('through the index, within a module and at the named seams, it passes', async () => {
    assert.deepEqual(
      await problemsOf(
        'audit/probe.ts',
        "import { createContact } from '../contacts/index.js'\nexport const probe = createContact\n",
      ),
      [],
    )
    assert.deepEqual(
      await problemsOf(
        'contacts/probe.ts',
        "import { findContact } from './contacts.repository.js'\nexport const probe = findContact\n",
      ),
      [],
    )
    assert.deepEqual(
      await problemsOf(
        'storage/schema.ts',
        "import type { ContactsTable } from '../contacts/contacts.table.js'\nexport type Probe = ContactsTable\n",
      ),
      [],
    )
  })
})
