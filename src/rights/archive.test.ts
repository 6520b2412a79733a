import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import { AppError } from '../errors.js'
import type { JsonRecord } from '../personal-data/index.js'
import { type ArchiveRecord, writeAccessArchive } from './archive.js'
import { type AccessManifest, type ArchiveKind, buildAccessManifest } from './manifest.logic.js'
import { type ArchiveEntry, collectingOutput, parseCsv, readArchive } from './testing/archive.js'

const generatedAt = new Date('2026-03-02T09:30:15Z')

function manifestOf(kind: ArchiveKind = 'access', workspaceName = 'Acme Shop'): AccessManifest {
  return buildAccessManifest({
    workspaceName,
    request: { id: 'req_1', type: kind, receivedAt: '2026-03-01T08:00:00.000Z' },
    generatedAt,
    sources: [
      {
        module: 'contacts',
        tables: [{ name: 'contacts', categories: ['identifiers'], retention: 'while a customer' }],
      },
      {
        module: 'consent',
        tables: [
          { name: 'consent_events', categories: ['consent-proof'], retention: 'while relied on' },
        ],
      },
      {
        module: 'identity',
        tables: [{ name: 'operators', categories: ['operator-account'], retention: 'while staff' }],
      },
    ],
    purposes: [
      {
        name: 'analytics',
        lawfulBasis: 'consent',
        description: 'Measuring how the site is used.',
        dataCategories: ['browsing'],
        directMarketing: false,
        automatedDecisions: false,
      },
    ],
  })
}

// The consent source interleaves its collections (standing, choices, standing, …) for a
// person with linked subjects, as its exportTo does.
const personRecords: ArchiveRecord[] = [
  {
    source: 'contacts',
    collection: 'contacts',
    record: {
      id: 'c1',
      email: 'ana@example.com',
      name: 'Ana',
      attributes: { plan: 'pro', tags: ['a', 'b'] },
    },
  },
  { source: 'consent', collection: 'standing', record: { subjectId: 's1', restrictedAt: null } },
  { source: 'consent', collection: 'choices', record: { purpose: 'analytics', granted: true } },
  { source: 'consent', collection: 'standing', record: { subjectId: 's2', declaredAge: 34 } },
  {
    source: 'consent',
    collection: 'choices',
    record: { purpose: 'marketing', granted: false, policyVersion: 3 },
  },
  {
    source: 'tracking',
    collection: 'events',
    record: { name: 'page', url: 'https://acme.test/?q=1,2', count: -5 },
  },
]

async function archiveOf(
  records: Iterable<ArchiveRecord> | AsyncIterable<ArchiveRecord>,
  options: { kind?: ArchiveKind; manifest?: AccessManifest; pageRowsPerCollection?: number } = {},
) {
  const output = collectingOutput()
  const kind = options.kind ?? 'access'
  const summary = await writeAccessArchive(
    output,
    { manifest: options.manifest ?? manifestOf(kind), records },
    {
      kind,
      ...(options.pageRowsPerCollection === undefined
        ? {}
        : { pageRowsPerCollection: options.pageRowsPerCollection }),
    },
  )
  const bytes = output.bytes()
  return { bytes, summary, entries: await readArchive(bytes) }
}

/** The page with its runs of whitespace made one space: the markup's layout is the formatter's. */
function pageOf(entries: readonly ArchiveEntry[]): string {
  return entryOf(entries, 'index.html').text.replace(/\s+/g, ' ')
}

function entryOf(entries: readonly ArchiveEntry[], name: string): ArchiveEntry {
  const entry = entries.find((candidate) => candidate.name === name)
  assert.ok(entry, `the archive holds ${name}`)
  return entry
}

function recordsOf(
  records: readonly ArchiveRecord[],
  source: string,
  collection: string,
): JsonRecord[] {
  return records
    .filter((item) => item.source === source && item.collection === collection)
    .map((item) => item.record)
}

/** What a CSV cell must read for a JSON value, the formula guard included. */
function expectedCell(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'number') return String(value)
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value)
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

function assertCsvMatches(csv: string, records: readonly JsonRecord[]): void {
  const rows = parseCsv(csv)
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))]
  assert.deepEqual(rows[0], columns)
  assert.deepEqual(
    rows.slice(1),
    records.map((record) => columns.map((column) => expectedCell(record[column]))),
  )
}

describe('writeAccessArchive', () => {
  test('one folder per source, a JSON and a CSV per collection, the manifest and the page', async () => {
    const { entries, summary } = await archiveOf(personRecords)
    assert.deepEqual(
      entries.map((entry) => entry.name),
      [
        'manifest.json',
        'contacts/contacts.json',
        'contacts/contacts.csv',
        'consent/standing.json',
        'consent/standing.csv',
        'consent/choices.json',
        'consent/choices.csv',
        'tracking/events.json',
        'tracking/events.csv',
        'identity/',
        'index.html',
      ],
    )
    assert.deepEqual(
      summary.files,
      entries.map((entry) => entry.name),
    )
    assert.deepEqual(summary.recordsPerSource, {
      contacts: 1,
      consent: 4,
      tracking: 1,
      identity: 0,
    })
  })

  test('every JSON file parses to the records, and every CSV row matches its JSON record', async () => {
    const { entries } = await archiveOf(personRecords)
    assert.deepEqual(JSON.parse(entryOf(entries, 'manifest.json').text), manifestOf())
    const collections = [
      ['contacts', 'contacts'],
      ['consent', 'standing'],
      ['consent', 'choices'],
      ['tracking', 'events'],
    ] as const
    for (const [source, collection] of collections) {
      const records = recordsOf(personRecords, source, collection)
      const json = entryOf(entries, `${source}/${collection}.json`).text
      assert.deepEqual(JSON.parse(json), records)
      assert.equal(
        json,
        `${JSON.stringify(records, null, 2)}\n`,
        'pretty, as JSON.stringify writes it',
      )
      assertCsvMatches(entryOf(entries, `${source}/${collection}.csv`).text, records)
    }
    for (const entry of entries.filter((item) => item.name.endsWith('.json'))) {
      assert.doesNotThrow(() => JSON.parse(entry.text), entry.name)
    }
  })

  test('a CSV has a byte-order mark, CRLF rows, nested values as JSON text and the union of keys', async () => {
    const { entries } = await archiveOf(personRecords)
    const csv = entryOf(entries, 'consent/standing.csv').text
    assert.ok(csv.startsWith('\uFEFFsubjectId,restrictedAt,declaredAge\r\n'))
    assert.equal(csv, '\uFEFFsubjectId,restrictedAt,declaredAge\r\ns1,,\r\ns2,,34\r\n')
    const contacts = parseCsv(entryOf(entries, 'contacts/contacts.csv').text)
    assert.equal(contacts[1]?.[3], '{"plan":"pro","tags":["a","b"]}')
  })

  test('unicode values survive in JSON, CSV and the page', async () => {
    const values = [
      'Zoë Ångström',
      '李小龍',
      'שלום',
      '👩‍💻🚀',
      'e\u0301',
      'line\u2028sep',
      'a\r\nb\nc\rd',
      'say "hi", ok',
    ]
    const records: ArchiveRecord[] = values.map((value, index) => ({
      source: 'contacts',
      collection: 'contacts',
      record: { index, value },
    }))
    const { entries } = await archiveOf(records)
    const expected = records.map((item) => item.record)
    assert.deepEqual(JSON.parse(entryOf(entries, 'contacts/contacts.json').text), expected)
    assertCsvMatches(entryOf(entries, 'contacts/contacts.csv').text, expected)
    const page = pageOf(entries)
    for (const value of ['Zoë Ångström', '李小龍', 'שלום', '👩‍💻🚀', 'e\u0301']) {
      assert.ok(page.includes(value), `the page shows ${value}`)
    }
  })

  test('cells a spreadsheet would run as formulas get a leading apostrophe in the CSV only', async () => {
    const hostile = [
      '=HYPERLINK("http://evil.test","x")',
      '+1+1',
      '-2+3',
      '@SUM(A1)',
      '\t=1',
      '\r=1',
    ]
    const records: ArchiveRecord[] = [
      ...hostile.map((value) => ({
        source: 'contacts',
        collection: 'contacts',
        record: { value, score: -5 },
      })),
      { source: 'contacts', collection: 'contacts', record: { value: 'plain - text', score: 1.5 } },
    ]
    const { entries } = await archiveOf(records)
    const rows = parseCsv(entryOf(entries, 'contacts/contacts.csv').text)
    assert.deepEqual(
      rows.slice(1).map((row) => row[0]),
      [...hostile.map((value) => `'${value}`), 'plain - text'],
    )
    assert.deepEqual(
      rows.slice(1).map((row) => row[1]),
      [...hostile.map(() => '-5'), '1.5'],
      'a negative number is no formula',
    )
    const json = JSON.parse(entryOf(entries, 'contacts/contacts.json').text)
    assert.deepEqual(
      json.map((record: { value: string }) => record.value),
      [...hostile, 'plain - text'],
    )
    assert.match(pageOf(entries), /starts with an added apostrophe/)
  })

  test('the page escapes every value, runs no script and loads nothing', async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'
    const records: ArchiveRecord[] = [
      {
        source: 'contacts',
        collection: 'contacts',
        record: { name: hostile, [`<b>${hostile}`]: 'key' },
      },
    ]
    const manifest = manifestOf('access', `Shop ${hostile}`)
    const { entries } = await archiveOf(records, { manifest })
    const page = pageOf(entries)
    const escaped =
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;'
    assert.ok(page.includes(`<td>${escaped}</td>`), 'the value, escaped, in its table cell')
    assert.ok(page.includes(`<th>&lt;b&gt;${escaped}</th>`), 'the key, escaped, as a column')
    assert.ok(page.includes(`<title>Your data held by Shop ${escaped}</title>`))
    // Escaped text holds no `<`, so every tag left is the page's own.
    const tags = page.match(/<[^>]*>/g) ?? []
    for (const tag of tags) {
      const name = /^<\/?([!a-z0-9]+)/i.exec(tag)?.[1]?.toLowerCase()
      assert.ok(name !== undefined && pageTags.has(name), `an expected tag: ${tag}`)
      assert.doesNotMatch(tag, /\s(src|href|on\w+)\s*=/i, 'no resource, link or handler')
    }
    assert.match(
      page,
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;" \/>/,
    )
  })

  test('the page lists the files and states the manifest in plain language', async () => {
    const { entries } = await archiveOf(personRecords)
    const page = pageOf(entries)
    assert.match(page, /<h1>Your data held by Acme Shop<\/h1>/)
    assert.match(page, /<code>consent\/choices\.json<\/code> and <code>\.csv<\/code>: 2 records/)
    assert.match(page, /Measuring how the site is used\./)
    assert.match(page, /your consent \(Art\. 6\(1\)\(a\) GDPR\)/)
    assert.match(
      page,
      /Who receives your data \(Art\. 15\(1\)\(c\)\)<\/dt> <dd>Not recorded\.<\/dd>/,
    )
    assert.match(
      page,
      /<strong>Complaint<\/strong> \(Art\. 77\): You may lodge a complaint with a supervisory authority/,
    )
    assert.match(page, /The supervisory authority of the business: not recorded\./)
  })

  test('a source that holds nothing for the person is an empty folder the page names', async () => {
    const { entries } = await archiveOf(personRecords)
    const folder = entryOf(entries, 'identity/')
    assert.equal(folder.directory, true)
    assert.ok(!entries.some((entry) => entry.name.startsWith('identity/') && !entry.directory))
    const page = pageOf(entries)
    assert.match(
      page,
      /<li> <code>identity\/<\/code> <ul> <li>Nothing is held about you here\.<\/li> <\/ul> <\/li>/,
    )
  })

  test('with no records at all, every source is an empty folder and the files still parse', async () => {
    const { entries, summary } = await archiveOf([])
    assert.deepEqual(
      entries.map((entry) => entry.name),
      ['manifest.json', 'contacts/', 'consent/', 'identity/', 'index.html'],
    )
    assert.deepEqual(summary.recordsPerSource, { contacts: 0, consent: 0, identity: 0 })
    assert.deepEqual(JSON.parse(entryOf(entries, 'manifest.json').text), manifestOf())
  })

  test('the same input makes the same bytes, every file dated at the generation time', async () => {
    const first = await archiveOf(personRecords)
    const second = await archiveOf(personRecords.map((item) => ({ ...item })))
    assert.ok(first.bytes.equals(second.bytes))
    for (const entry of first.entries) {
      assert.equal(
        entry.modifiedAt.getTime(),
        Math.floor(generatedAt.getTime() / 1000) * 1000,
        entry.name,
      )
      assert.equal(entry.mode, entry.directory ? 0o40755 : 0o100644, entry.name)
    }
  })

  test('a portability archive says it holds the data the person provided', async () => {
    const { entries } = await archiveOf(personRecords, { kind: 'portability' })
    const page = pageOf(entries)
    assert.match(page, /<h1>The data you provided to Acme Shop<\/h1>/)
    assert.match(page, /on your consent or under a contract with you/)
    assert.match(page, /GDPR Art\. 20/)
    assert.equal(JSON.parse(entryOf(entries, 'manifest.json').text).kind, 'portability')
  })

  test('a kind other than the manifest’s is refused', async () => {
    await assert.rejects(
      writeAccessArchive(
        collectingOutput(),
        { manifest: manifestOf('access'), records: [] },
        { kind: 'portability' },
      ),
      (error: unknown) => error instanceof AppError && error.code === 'internal',
    )
  })

  test('the page shows the first records of a long collection and says where the rest are', async () => {
    const records: ArchiveRecord[] = Array.from({ length: 7 }, (_, index) => ({
      source: 'tracking',
      collection: 'events',
      record: { index },
    }))
    const { entries } = await archiveOf(records, { pageRowsPerCollection: 3 })
    const page = pageOf(entries)
    assert.match(
      page,
      /The first 3 of 7 records\. All of them are in <code>tracking\/events\.json<\/code>/,
    )
    assert.equal(page.match(/<td>\d<\/td>/g)?.length, 3)
    assert.equal(JSON.parse(entryOf(entries, 'tracking/events.json').text).length, 7)
  })

  test('a source whose records come back after another source is refused', async () => {
    const output = collectingOutput()
    const records = [
      personRecords[0]!,
      personRecords[1]!,
      { ...personRecords[0]!, record: { id: 'c2' } },
    ]
    await assert.rejects(
      writeAccessArchive(output, { manifest: manifestOf(), records }, { kind: 'access' }),
      (error: unknown) => error instanceof AppError && /arrive together/.test(error.message),
    )
    assert.equal(output.destroyed, true)
  })

  test('a source or collection name that is not a safe file name is refused', async () => {
    for (const [source, collection] of [
      ['../etc', 'x'],
      ['contacts', 'a/b'],
      ['Contacts', 'x'],
      ['contacts', ''],
    ]) {
      const records = [{ source: source!, collection: collection!, record: {} }]
      await assert.rejects(
        writeAccessArchive(
          collectingOutput(),
          { manifest: manifestOf(), records },
          { kind: 'access' },
        ),
        (error: unknown) => error instanceof AppError && /safe file name/.test(error.message),
      )
    }
  })

  test('a source failing midway destroys the output instead of ending a partial archive', async () => {
    const output = collectingOutput()
    async function* failing(): AsyncGenerator<ArchiveRecord> {
      yield* personRecords.slice(0, 3)
      throw new Error('the database went away')
    }
    await assert.rejects(
      writeAccessArchive(
        output,
        { manifest: manifestOf(), records: failing() },
        { kind: 'access' },
      ),
      /the database went away/,
    )
    assert.equal(output.destroyed, true)
    await assert.rejects(readArchive(output.bytes()), 'what was written is no readable archive')
  })

  test('a reader that goes away stops the walk: no more records are read', async () => {
    let read = 0
    let closed = false
    async function* walk(): AsyncGenerator<ArchiveRecord> {
      try {
        for (let source = 0; source < 50; source += 1) {
          for (let index = 0; index < 200; index += 1) {
            read += 1
            yield { source: sourceName(source), collection: 'events', record: { index } }
          }
        }
      } finally {
        closed = true
      }
    }
    const output = new Writable({
      write(_chunk, _encoding, callback) {
        callback()
        this.destroy()
      },
    })
    await assert.rejects(
      writeAccessArchive(output, { manifest: manifestOf(), records: walk() }, { kind: 'access' }),
    )
    assert.equal(closed, true, 'the walk was closed')
    // The first source's records and at most the next one's, of fifty sources.
    assert.ok(read <= 401, `stopped after ${read} records`)
  })

  test('a record that is not JSON fails the archive', async () => {
    const records = [{ source: 'contacts', collection: 'contacts', record: { big: 1n } }]
    await assert.rejects(
      writeAccessArchive(
        collectingOutput(),
        { manifest: manifestOf(), records },
        { kind: 'access' },
      ),
      TypeError,
    )
  })

  test('20,000 records stream out while they are read, never as one whole ZIP', async () => {
    const sources = 20
    const perSource = 1_000
    const output = collectingOutput()
    // When the walk reaches a source, the files of the source two before it must
    // already be in the output: the archive is written as the records arrive.
    const alreadyOut: boolean[] = []
    async function* walk(): AsyncGenerator<ArchiveRecord> {
      for (let source = 0; source < sources; source += 1) {
        if (source >= 2) {
          alreadyOut.push(output.bytes().includes(`${sourceName(source - 2)}/events.csv`))
        }
        for (let index = 0; index < perSource; index += 1) {
          yield {
            source: sourceName(source),
            collection: 'events',
            record: { index, page: `/products/${source}/${index}`, at: '2026-03-01T10:00:00Z' },
          }
        }
      }
    }
    const summary = await writeAccessArchive(
      output,
      { manifest: manifestOf(), records: walk() },
      { kind: 'access' },
    )
    assert.deepEqual(
      alreadyOut,
      Array.from({ length: sources - 2 }, () => true),
    )
    const entries = await readArchive(output.bytes())
    for (let source = 0; source < sources; source += 1) {
      const events = JSON.parse(entryOf(entries, `${sourceName(source)}/events.json`).text)
      assert.equal(events.length, perSource)
      assert.equal(
        parseCsv(entryOf(entries, `${sourceName(source)}/events.csv`).text).length,
        perSource + 1,
      )
    }
    assert.equal(
      Object.values(summary.recordsPerSource).reduce((sum, count) => sum + count, 0),
      20_000,
    )
  })
})

// The tags the page is made of: no script, image, link, frame, object or form.
const pageTags = new Set(
  '!doctype html head meta title style body main section h1 h2 h3 h4 p dl dt dd ul li code strong span div table thead tbody tr th td'.split(
    ' ',
  ),
)

function sourceName(index: number): string {
  return `source-${String(index).padStart(2, '0')}`
}
