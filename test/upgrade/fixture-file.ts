import { readFileSync } from 'node:fs'
import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'

/**
 * The upgrade fixture's file format: a store made by an older release (every table's
 * rows), the test-only master key that opens it, the clear-text facts that were put in,
 * and what that release answered when asked to read them back. Made by
 * make-fixture.ts, read by upgrade.test.ts. Dialect-neutral: the rows load into SQLite
 * and PostgreSQL alike.
 */

// The fixture's own fields are closed: a fact that lands in the wrong place fails to load.
const strict = { additionalProperties: false } as const

/** A stored value: text, a number, NULL, or bytes (blob/bytea) as base64. */
const StoredValue = Type.Union([
  Type.String(),
  Type.Number(),
  Type.Null(),
  Type.Object({ base64: Type.String() }, { additionalProperties: false }),
])
export type StoredValue = Static<typeof StoredValue>

const FixtureTable = Type.Object({
  name: Type.String(),
  columns: Type.Array(Type.String()),
  rows: Type.Array(Type.Array(StoredValue)),
})
export type FixtureTable = Static<typeof FixtureTable>

/** Who a recorded read authenticated as. */
export const readAuths = ['secret', 'public', 'owner-session'] as const
export type ReadAuth = (typeof readAuths)[number]

const RecordedRead = Type.Object({
  url: Type.String(),
  auth: Type.Enum(readAuths),
  status: Type.Integer(),
  body: Type.Unknown(),
})
export type RecordedRead = Static<typeof RecordedRead>

const Operator = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    password: Type.String(),
    role: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    totpSecret: Type.Optional(Type.String()),
    unusedRecoveryCode: Type.Optional(Type.String()),
  },
  strict,
)
export type FixtureOperator = Static<typeof Operator>

const Contact = Type.Object(
  {
    id: Type.String(),
    email: Type.Optional(Type.String()),
    externalId: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    attributes: Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
    ),
    erased: Type.Boolean(),
  },
  strict,
)
export type FixtureContact = Static<typeof Contact>

const Visitor = Type.Object(
  {
    anonymousId: Type.String(),
    /** The externalId an identify linked the visitor to, if any. */
    identifiedAs: Type.Optional(Type.String()),
    /** The page URLs stored for them (a refused visitor has none). */
    pages: Type.Array(Type.String()),
  },
  strict,
)
export type FixtureVisitor = Static<typeof Visitor>

const Facts = Type.Object(
  {
    workspace: Type.Object(
      {
        id: Type.String(),
        name: Type.String(),
        publicKey: Type.String(),
        secretKey: Type.String(),
        /** A second secret key, made through the API. */
        extraSecretKey: Type.String(),
      },
      strict,
    ),
    /** The owner's session cookie value, as the release left it signed in. */
    ownerSession: Type.Object({ cookie: Type.String(), csrfToken: Type.String() }),
    owner: Operator,
    agent: Operator,
    contacts: Type.Array(Contact),
    visitors: Type.Array(Visitor),
    /** Every purpose name the decisions were asked about. */
    purposes: Type.Array(Type.String()),
  },
  strict,
)
export type FixtureFacts = Static<typeof Facts>

const UpgradeFixture = Type.Object(
  {
    about: Type.String(),
    madeBy: Type.Object({ commit: Type.String(), at: Type.String() }),
    /** The last migration the release had applied: the schema its rows fit. */
    schemaVersion: Type.String(),
    /** Base64 of the 32-byte master key. TEST ONLY: it opens nothing but this fixture. */
    testOnlyMasterKey: Type.String(),
    facts: Facts,
    reads: Type.Array(RecordedRead),
    /** Every table the release had, in the order it created them (parents first). */
    tables: Type.Array(FixtureTable),
  },
  strict,
)
export type UpgradeFixture = Static<typeof UpgradeFixture>

/** Reads and checks a fixture file; a hand-edited file of the wrong shape fails here. */
export function readFixture(path: string | URL): UpgradeFixture {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
  if (Value.Check(UpgradeFixture, parsed)) return parsed
  const first = Value.Errors(UpgradeFixture, parsed)[0]
  throw new Error(
    `${String(path)} is not an upgrade fixture: ${first?.instancePath} ${first?.message}`,
  )
}

/** A driver's value as the fixture stores it. */
export function storedValueOf(value: unknown): StoredValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value
  if (Buffer.isBuffer(value)) return { base64: value.toString('base64') }
  if (typeof value === 'bigint') return Number(value)
  throw new Error(`A stored value of type ${typeof value} has no fixture form`)
}

/** A fixture value as a driver binds it. */
export function bindableOf(value: StoredValue): string | number | Buffer | null {
  return value !== null && typeof value === 'object' ? Buffer.from(value.base64, 'base64') : value
}

/**
 * The fixture as text: small metadata and facts indented, then one line per recorded
 * read and per table row, so a regenerated fixture diffs by row and stays compact.
 * Written by the fixture maker only (it is in .prettierignore, as the lockfile is).
 */
export function fixtureText(fixture: UpgradeFixture): string {
  const { reads, tables, ...head } = fixture
  const headLines = Object.entries(head).map(
    ([key, value]) =>
      `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replaceAll('\n', '\n  ')},`,
  )
  const tableLines = tables.map((table) => {
    const start = `    { "name": ${JSON.stringify(table.name)}, "columns": ${JSON.stringify(table.columns)}, "rows": [`
    const rows = table.rows.map((row) => `      ${JSON.stringify(row)}`).join(',\n')
    return table.rows.length === 0 ? `${start}] }` : `${start}\n${rows}\n    ] }`
  })
  return [
    '{',
    ...headLines,
    '  "reads": [',
    reads.map((read) => `    ${JSON.stringify(read)}`).join(',\n'),
    '  ],',
    '  "tables": [',
    tableLines.join(',\n'),
    '  ]',
    '}',
    '',
  ].join('\n')
}
