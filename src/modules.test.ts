import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type CliContext, cliContextOn } from './cli/index.js'
import { createOperator } from './identity/index.js'
import { password } from './identity/testing/fixtures.js'
import type { Modules } from './modules.js'
import { dialectSkip, testDialects } from './storage/testing/dialects.js'
import { buildTestApp, type TestApp } from './testing/test-app.js'
import { createWorkspace } from './workspaces/index.js'

/** The modules whose dependencies hold the store, the audit log and the clock. */
const storeModules = ['identity', 'workspaces', 'contacts', 'consent', 'tracking'] as const
/** The modules that also seal or open personal data. */
const sealingModules = ['identity', 'contacts', 'consent', 'tracking'] as const

for (const dialect of testDialects) {
  describe(`createModules [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let cli: CliContext

    before(async () => {
      harness = await buildTestApp({ dialect })
      // What a CLI command gets, on the app's own core: both sides must meet in it.
      cli = cliContextOn(harness.modules.core)
    })
    after(async () => {
      await cli.modules.close()
      await harness.close()
    })

    test('the app and a CLI context build every module on the one core the root opened', () => {
      for (const modules of [harness.modules, cli.modules]) {
        assert.equal(modules.core.keyring, harness.keyring)
        assert.equal(modules.core.audit, harness.audit)
        assert.equal(modules.core.storage, harness.storage)
        for (const name of storeModules) {
          assert.equal(modules[name].db, harness.storage.db, `${name}.db`)
          assert.equal(modules[name].clock, harness.clock, `${name}.clock`)
          assert.equal(modules[name].audit, harness.audit, `${name}.audit`)
        }
        for (const name of sealingModules) {
          assert.equal(modules[name].keyring, harness.keyring, `${name}.keyring`)
        }
        assert.equal(modules.audit.audit, harness.audit)
        assert.equal(modules.workspaces.instanceRegion, harness.config.region)
      }
    })

    test('the modules are frozen, and each call makes its own set: no singleton', () => {
      const frozen = (modules: Modules) => [
        modules,
        modules.core,
        modules.personalData,
        modules.personalData.sources,
        modules.subjects,
        modules.rights,
        modules.drp,
        modules.jobs,
        ...[...storeModules, 'audit' as const].map((name) => modules[name]),
      ]
      for (const part of [...frozen(harness.modules), ...frozen(cli.modules)]) {
        assert.ok(Object.isFrozen(part))
      }
      assert.notEqual(cli.modules, harness.modules)
      assert.notEqual(cli.modules.tracking.writer, harness.modules.tracking.writer)
      assert.deepEqual(harness.modules.personalData.sources.map((source) => source.module).sort(), [
        'audit',
        'consent',
        'contacts',
        'drp',
        'identity',
        'inbox',
        'rights',
        'subjects',
        'tracking',
      ])
      assert.equal(harness.modules.subjects.registry, harness.modules.personalData)
    })

    test('the app serves what a CLI command made through its own modules', async () => {
      // As `workspace create` and `operator create` do.
      const workspace = await createWorkspace(cli.modules.workspaces, {
        name: 'Composed Ltd',
        actor: cli.actor,
      })
      const invited = await createOperator(cli.modules.identity, {
        workspaceId: workspace.id,
        email: 'owner@composed.example',
        role: 'owner',
        firstName: null,
        lastName: null,
        actor: cli.actor,
      })

      const setup = await harness.app.inject({
        method: 'POST',
        url: '/v1/auth/setup',
        payload: { token: invited.setupToken, password },
      })
      assert.equal(setup.statusCode, 200, setup.body)
      const read = await harness.app.inject({
        method: 'GET',
        url: '/v1/workspace',
        headers: { authorization: `Bearer ${workspace.secretKey}` },
      })
      assert.equal(read.statusCode, 200, read.body)
      assert.equal(read.json<{ name: string }>().name, 'Composed Ltd')

      // Both sides wrote to the one audit chain.
      const { entries } = await harness.audit.listEntries(workspace.id)
      const actions = entries.map((entry) => entry.action)
      assert.ok(actions.includes('workspace.created'), actions.join(', '))
      assert.ok(actions.includes('auth.password_set'), actions.join(', '))
      assert.equal((await harness.audit.verify()).ok, true)
    })
  })
}
