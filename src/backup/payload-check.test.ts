import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { describe, test } from 'node:test'
import { checkSqliteHeader } from './payload-check.js'
import { dumpMagic, readDump } from './postgres-dump.js'

/** The checks `backup verify` makes on a snapshot without writing it anywhere. */
function sqliteHeader(pageSize: number, pages: number): Buffer {
  const header = Buffer.alloc(100)
  header.write('SQLite format 3\0', 0, 'latin1')
  header.writeUInt16BE(pageSize === 65536 ? 1 : pageSize, 16)
  header.writeUInt32BE(7, 24)
  header.writeUInt32BE(pages, 28)
  header.writeUInt32BE(7, 92)
  return header
}

describe('the SQLite header check', () => {
  test('a file as long as its header says passes', () => {
    assert.equal(checkSqliteHeader(sqliteHeader(4096, 10), 40960), undefined)
    assert.equal(checkSqliteHeader(sqliteHeader(65536, 2), 131072), undefined)
  })

  test('a file cut short or padded, or no SQLite file, fails', () => {
    assert.match(checkSqliteHeader(sqliteHeader(4096, 10), 40960 - 4096) ?? '', /header says/)
    assert.match(checkSqliteHeader(sqliteHeader(4096, 10), 40961) ?? '', /header says/)
    assert.match(checkSqliteHeader(Buffer.alloc(100), 40960) ?? '', /not an SQLite database/)
  })
})

function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeUInt32BE(body.length, 1)
  return Buffer.concat([head, body])
}

/** A small dump, as dumpPostgres writes one: two tables, a digest at the end. */
function dump(): Buffer {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value))
  const parts = [
    dumpMagic,
    frame('H', json({ migrations: ['0001_instance'] })),
    frame('T', json({ table: 'instance', columns: ['id'] })),
    frame('D', Buffer.from('rows of the first table')),
    frame('E', json({ table: 'instance' })),
    frame('T', json({ table: 'workspaces', columns: ['id'] })),
    frame('E', json({ table: 'workspaces' })),
  ]
  const body = Buffer.concat(parts)
  const digest = createHash('sha256').update(body).digest('hex')
  return Buffer.concat([body, frame('Z', json({ sha256: digest, tables: 2 }))])
}

/** The bytes in chunks of `size`, as a decrypting stream hands them over. */
const chunked = (bytes: Buffer, size: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
      bytes.subarray(i * size, (i + 1) * size),
    ),
  )

describe('reading a PostgreSQL dump', () => {
  test('a whole dump reads, in chunks of any size, table by table', async () => {
    for (const size of [1, 7, 64, 100_000]) {
      const seen: string[] = []
      const result = await readDump(chunked(dump(), size), {
        header: async (migrations) => {
          seen.push(`H ${migrations.join()}`)
        },
        beginTable: async (table) => {
          seen.push(`T ${table}`)
        },
        data: async (chunk) => {
          seen.push(`D ${chunk.toString()}`)
        },
        endTable: async (table) => {
          seen.push(`E ${table}`)
        },
      })
      assert.equal(result.tables, 2)
      assert.deepEqual(seen, [
        'H 0001_instance',
        'T instance',
        'D rows of the first table',
        'E instance',
        'T workspaces',
        'E workspaces',
      ])
    }
  })

  test('one altered byte, a dump cut short, or bytes after its end are refused', async () => {
    const whole = dump()
    const altered = Buffer.from(whole)
    const at = whole.indexOf('rows of the first table')
    altered[at] = (altered[at] ?? 0) ^ 0x01
    await assert.rejects(readDump(chunked(altered, 16)), /digest does not match/)
    await assert.rejects(readDump(chunked(whole.subarray(0, whole.length - 10), 16)), /cut short/)
    await assert.rejects(readDump(chunked(Buffer.concat([whole, Buffer.from('x')]), 16)), /follow/)
    await assert.rejects(
      readDump(chunked(Buffer.from('not a dump at all, no'), 4)),
      /not a Custodian dump/,
    )
  })
})
