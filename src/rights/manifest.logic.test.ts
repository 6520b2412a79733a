import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { consentTables } from '../consent/index.js'
import { contactsTables } from '../contacts/index.js'
import { trackingTables } from '../tracking/index.js'
import {
  type AccessManifestInput,
  buildAccessManifest,
  manifestVersion,
  type ManifestPurposeInput,
  notRecorded,
} from './manifest.logic.js'

const support: ManifestPurposeInput = {
  name: 'support',
  lawfulBasis: 'contract',
  description: 'Answering your questions.',
  dataCategories: ['contact', 'conversations'],
  directMarketing: false,
  automatedDecisions: false,
}
const profiling: ManifestPurposeInput = {
  name: 'profiling',
  lawfulBasis: 'consent',
  description: 'Grouping you into segments from your activity.',
  dataCategories: ['browsing', 'segments'],
  directMarketing: true,
  automatedDecisions: true,
}
const fraud: ManifestPurposeInput = {
  name: 'fraud-checks',
  lawfulBasis: 'legitimate-interests',
  description: 'Spotting stolen cards.',
  dataCategories: ['ip-address'],
  directMarketing: false,
  automatedDecisions: false,
}

const input: AccessManifestInput = {
  workspaceName: 'Acme Shop',
  request: { id: 'req_7', type: 'access', receivedAt: '2026-03-01T08:00:00.000Z' },
  generatedAt: new Date('2026-03-02T09:30:00Z'),
  sources: [
    {
      module: 'contacts',
      tables: [
        {
          name: 'contacts',
          categories: ['identifiers', 'contact-profile'],
          retention: 'R-contacts',
        },
      ],
    },
    {
      module: 'tracking',
      tables: [
        { name: 'tracking_events', categories: ['browsing', 'identifiers'], retention: 'R-events' },
      ],
    },
    {
      module: 'identity',
      tables: [
        { name: 'operators', categories: ['operator-account'], retention: 'R-operators' },
        { name: 'sessions', categories: ['authentication'], retention: 'R-sessions' },
      ],
    },
  ],
  purposes: [support, profiling, fraud],
}

describe('buildAccessManifest', () => {
  test('says "not recorded" for all Custodian does not hold yet, and never fills it in', () => {
    const manifest = buildAccessManifest(input)
    assert.equal(notRecorded, 'not recorded')
    assert.deepEqual(manifest.controller, {
      identity: 'not recorded',
      contactDetails: 'not recorded',
      dataProtectionOfficer: 'not recorded',
    })
    assert.equal(manifest.recipients, 'not recorded')
    assert.equal(manifest.sourceOfData, 'not recorded')
    assert.deepEqual(manifest.transfers, {
      thirdCountriesOrOrganisations: 'not recorded',
      safeguards: 'not recorded',
    })
    assert.equal(manifest.complaint.supervisoryAuthority, 'not recorded')
    assert.match(manifest.notRecordedMeans, /does not mean there is none/)
  })

  test('versions its format and names the request, the workspace and the time it was made', () => {
    const manifest = buildAccessManifest(input)
    assert.equal(manifest.manifestVersion, manifestVersion)
    assert.equal(manifest.manifestVersion, 1)
    assert.equal(manifest.kind, 'access')
    assert.deepEqual(manifest.request, input.request)
    assert.deepEqual(manifest.workspace, { name: 'Acme Shop' })
    assert.equal(manifest.generatedAt, '2026-03-02T09:30:00.000Z')
    assert.equal(
      buildAccessManifest({ ...input, request: { ...input.request, type: 'portability' } }).kind,
      'portability',
    )
  })

  test('takes categories and their retention from the registry, once each, in the registry’s order', () => {
    const manifest = buildAccessManifest(input)
    assert.equal(manifest.categoriesScope, 'every-source-of-the-workspace')
    assert.deepEqual(
      manifest.categories.map((category) => [category.category, category.retention]),
      [
        [
          'identifiers',
          [
            { source: 'contacts', table: 'contacts', retention: 'R-contacts' },
            { source: 'tracking', table: 'tracking_events', retention: 'R-events' },
          ],
        ],
        ['contact-profile', [{ source: 'contacts', table: 'contacts', retention: 'R-contacts' }]],
        ['browsing', [{ source: 'tracking', table: 'tracking_events', retention: 'R-events' }]],
        [
          'operator-account',
          [{ source: 'identity', table: 'operators', retention: 'R-operators' }],
        ],
        ['authentication', [{ source: 'identity', table: 'sessions', retention: 'R-sessions' }]],
      ],
    )
    for (const category of manifest.categories) assert.ok(category.description.length > 0)
    assert.deepEqual(manifest.sources[2], {
      source: 'identity',
      tables: [
        { table: 'operators', categories: ['operator-account'], retention: 'R-operators' },
        { table: 'sessions', categories: ['authentication'], retention: 'R-sessions' },
      ],
    })
  })

  test('with the export’s counts, lists only the categories of sources holding the person’s data', () => {
    const manifest = buildAccessManifest({
      ...input,
      recordsPerSource: { contacts: 1, tracking: 0 },
    })
    assert.equal(manifest.categoriesScope, 'sources-holding-your-data')
    assert.deepEqual(
      manifest.categories.map((category) => category.category),
      ['identifiers', 'contact-profile'],
    )
    assert.deepEqual(
      manifest.sources.map((source) => [source.source, source.records]),
      [
        ['contacts', 1],
        ['tracking', 0],
        ['identity', 0],
      ],
    )
  })

  test('states every purpose with its lawful basis, in the catalogue’s words', () => {
    const [first] = buildAccessManifest(input).purposes
    assert.deepEqual(first, {
      name: 'support',
      description: 'Answering your questions.',
      lawfulBasis: 'contract',
      lawfulBasisArticle: 'Art. 6(1)(b)',
      lawfulBasisMeaning: 'a contract with you, or steps you asked for before one',
      dataCategories: ['contact', 'conversations'],
      directMarketing: false,
      automatedDecisions: false,
    })
  })

  test('says whether automated decision-making exists, with what is known of each', () => {
    const manifest = buildAccessManifest(input)
    assert.deepEqual(manifest.automatedDecisionMaking, {
      exists: true,
      purposes: [
        {
          purpose: 'profiling',
          description: 'Grouping you into segments from your activity.',
          dataCategories: ['browsing', 'segments'],
          lawfulBasis: 'consent',
          logicInvolved: 'not recorded',
          significanceAndConsequences: 'not recorded',
        },
      ],
    })
    const none = buildAccessManifest({ ...input, purposes: [support] })
    assert.deepEqual(none.automatedDecisionMaking, { exists: false, purposes: [] })
  })

  test('lists the rights with their articles, the complaint, and the purposes each bears on', () => {
    const manifest = buildAccessManifest(input)
    assert.deepEqual(
      manifest.rights.map((right) => [right.right, right.article, right.appliesToPurposes]),
      [
        ['access', 'Art. 15', undefined],
        ['rectification', 'Art. 16', undefined],
        ['erasure', 'Art. 17', undefined],
        ['restriction', 'Art. 18', undefined],
        ['portability', 'Art. 20', ['support', 'profiling']],
        ['objection', 'Art. 21', ['profiling', 'fraud-checks']],
        ['automated-decisions', 'Art. 22', ['profiling']],
        ['withdraw-consent', 'Art. 7(3)', ['profiling']],
      ],
    )
    assert.equal(manifest.complaint.article, 'Art. 77')
    assert.match(manifest.complaint.description, /complaint with a supervisory authority/)
  })

  test('holds the retention of every table of the real registry sources it is given', () => {
    const sources = [
      { module: 'contacts', tables: contactsTables },
      { module: 'consent', tables: consentTables },
      { module: 'tracking', tables: trackingTables },
    ]
    const manifest = buildAccessManifest({ ...input, sources })
    const retained = manifest.categories.flatMap((category) => category.retention)
    for (const { module, tables } of sources) {
      for (const table of tables) {
        for (const category of table.categories) {
          const entry = manifest.categories.find((item) => item.category === category)
          assert.ok(
            entry?.retention.some(
              (item) =>
                item.source === module &&
                item.table === table.name &&
                item.retention === table.retention,
            ),
            `${table.name} in ${category}`,
          )
        }
      }
    }
    assert.ok(retained.length > 0)
  })

  test('is plain JSON: it survives a round trip unchanged', () => {
    const manifest = buildAccessManifest({ ...input, recordsPerSource: { contacts: 2 } })
    assert.deepEqual(JSON.parse(JSON.stringify(manifest)), manifest)
  })

  test('copies its input: changing the input later does not change the manifest', () => {
    const purposes = [{ ...support, dataCategories: ['contact'] }]
    const manifest = buildAccessManifest({ ...input, purposes })
    purposes[0]!.dataCategories.push('added-later')
    assert.deepEqual(manifest.purposes[0]?.dataCategories, ['contact'])
  })
})
