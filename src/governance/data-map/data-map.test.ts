import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parse, stringify } from 'yaml'
import { dataCategories, personalTables } from '../../personal-data/index.js'
import type { PersonalDataSource } from '../../personal-data/index.js'
import { createRegistryOfModules } from '../../personal-data-sources.js'
import { openTestKeyring } from '../../crypto/testing/keyring.js'
import type { Keyring } from '../../crypto/index.js'
import { openTestStorage } from '../../storage/testing/dialects.js'
import type { Storage } from '../../storage/index.js'
import { openTestAuditLog } from '../../audit/testing/audit.js'
import { loadConfig } from '../../config.js'
import { testMasterKey } from '../../crypto/testing/keyring.js'
import { createModules } from '../../modules.js'
import { captureLogs } from '../../testing/log-capture.js'
import { assertDataMapCovers, findUnmappedData, mappedCategoryNames } from './coverage.logic.js'
import { dataMapPath, loadDataMap, parseDataMap } from './load-data-map.js'

const shipped = loadDataMap()
const mapped = mappedCategoryNames(shipped.categories)
const directory = mkdtempSync(join(tmpdir(), 'custodian-data-map-'))
after(() => rmSync(directory, { recursive: true, force: true }))

/** The shipped map as YAML with `change` applied to its parsed form. */
function mapWith(change: (map: Record<string, unknown>) => void): string {
  const map = parse(readFileSync(dataMapPath, 'utf8')) as Record<string, unknown>
  change(map)
  return stringify(map)
}

describe('the data map as code', () => {
  let storage: Storage
  let keyring: Keyring
  let cleanup: () => Promise<void>
  let sources: readonly PersonalDataSource[]

  before(async () => {
    ;({ storage, cleanup } = await openTestStorage('sqlite'))
    ;({ keyring } = await openTestKeyring(storage))
    sources = createRegistryOfModules({ db: storage.db, keyring }).sources
  })
  after(async () => {
    await keyring.close()
    await cleanup()
  })

  test('maps every category a registered source declares, and every personal table reaches one', () => {
    assert.deepEqual(findUnmappedData(mapped, sources), [])
    const reached = new Set(
      sources.flatMap((source) =>
        source.tables.filter((table) => table.categories.length > 0).map((table) => table.name),
      ),
    )
    for (const table of personalTables)
      assert.ok(reached.has(table), `${table} reaches no category`)
    for (const category of dataCategories) assert.ok(mapped.has(category), category)
  })

  test("holds the seeds' categories beyond what Custodian itself stores", () => {
    for (const category of ['payment-details', 'messages', 'operator-account', 'ip-address']) {
      assert.ok(mapped.has(category), category)
    }
    for (const [name, category] of Object.entries(shipped.categories)) {
      assert.ok(category.recipients.length > 0, `${name} names its recipients`)
      assert.ok(category.retention.length > 0, `${name} says how long`)
    }
  })

  test('an unmapped category fails, naming the category, the table and the module', () => {
    const withoutBrowsing = new Set([...mapped].filter((name) => name !== 'browsing'))
    const gaps = findUnmappedData(withoutBrowsing, sources)
    assert.deepEqual(gaps, [{ module: 'tracking', table: 'tracking_events', category: 'browsing' }])
    assert.throws(
      () => assertDataMapCovers(withoutBrowsing, sources, 'data-map.yaml'),
      /category browsing of table tracking_events \(tracking\) is not in the data map/,
    )
  })

  test('a personal table that declares no category at all fails too', () => {
    const silent: PersonalDataSource = {
      ...sources[0]!,
      module: 'silent',
      tables: [{ name: 'silent_rows', categories: [], retention: 'forever' }],
    }
    assert.deepEqual(findUnmappedData(mapped, [silent]), [
      { module: 'silent', table: 'silent_rows', category: null },
    ])
  })

  test('the modules refuse to start with a map that misses a category, and names it', async () => {
    const file = join(directory, 'without-ip.yaml')
    writeFileSync(
      file,
      mapWith((map) => {
        delete (map.categories as Record<string, unknown>)['ip-address']
      }),
    )
    const log = await openTestAuditLog(storage)
    try {
      const core = {
        config: loadConfig({ env: { DATA_DIR: directory, CUSTODIAN_MASTER_KEY: testMasterKey() } }),
        storage,
        logger: captureLogs().logger,
        clock: log.clock,
        keyring: log.keyring,
        audit: log.audit,
        publicUrl: () => 'https://custodian.test',
      }
      assert.throws(
        () => createModules({ ...core, dataMapFile: file }),
        /category ip-address of table [a-z_]+ \([a-z]+\) is not in the data map/,
      )
      await createModules(core).close()
    } finally {
      await log.close()
    }
  })

  test('a malformed map is refused with the field named; legitimate interests must be stated', () => {
    assert.throws(
      () =>
        parseDataMap(
          mapWith((map) => {
            const categories = map.categories as Record<string, Record<string, unknown>>
            delete categories.browsing!.retention
          }),
        ),
      /\/categories\/browsing/,
    )
    assert.throws(
      () =>
        parseDataMap(
          mapWith((map) => {
            const categories = map.categories as Record<string, Record<string, unknown>>
            delete categories['ip-address']!.legitimateInterests
          }),
        ),
      /ip-address rests on legitimate interests but names none/,
    )
    assert.throws(() => parseDataMap('categories: [unclosed'), /not YAML/)
  })
})
