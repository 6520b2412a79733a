import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import { runCli, startServeProcess } from './cli-process.js'

// The end-to-end path a new user takes: the real command, a real port, real signals.
describe('custodian serve (embedded SQLite)', () => {
  let dataDir: string
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-serve-'))
  })
  after(() => rmSync(dataDir, { recursive: true, force: true }))

  test('answers /healthz and serves a valid OpenAPI 3.1 document', async () => {
    const server = await startServeProcess(['--data', dataDir])
    try {
      const health = await fetch(`${server.url}/healthz`)
      assert.equal(health.status, 200)
      assert.deepEqual(await health.json(), { status: 'ok' })
      const document = JSON.parse(await (await fetch(`${server.url}/v1/openapi.json`)).text())
      assert.equal(document.openapi, '3.1.0')
      await SwaggerParser.validate(document)
    } finally {
      server.child.kill('SIGTERM')
      assert.equal(await server.exited, 0)
    }
  })

  test('SIGTERM lets an in-flight request finish, then closes the database cleanly', async () => {
    const server = await startServeProcess(['--data', dataDir])
    const { port, hostname } = new URL(server.url)
    // A request whose body is still arriving when the signal comes.
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(
        {
          host: hostname,
          port,
          method: 'POST',
          path: '/v1/slow-upload',
          headers: { 'content-type': 'application/json', 'content-length': '20' },
        },
        (incoming) => {
          let body = ''
          incoming.on('data', (chunk: Buffer) => {
            body += chunk.toString()
          })
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }))
        },
      )
      outgoing.on('error', reject)
      outgoing.write('{"half":"of a ')
      setTimeout(() => {
        server.child.kill('SIGTERM')
        setTimeout(() => outgoing.end('body"}'), 300)
      }, 300)
    })
    const answered = await response
    assert.equal(answered.status, 404)
    assert.match(answered.body, /"status":404/)
    assert.equal(await server.exited, 0)
    assert.ok(server.output.some((line) => line.includes('"msg":"stopped"')))
    // A clean SQLite close checkpoints the WAL and removes it.
    assert.equal(existsSync(join(dataDir, 'custodian.sqlite-wal')), false)
  })

  test('a bad configuration value stops start-up naming the setting', () => {
    const result = runCli(['serve', '--data', dataDir], { PORT: 'eighty' })
    assert.equal(result.status, 1)
    assert.match(result.stderr, /PORT \(--port\) must be a whole number/)
  })

  test('migrate --json reports the applied migrations and is idempotent', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'custodian-migrate-'))
    try {
      const first = runCli(['migrate', '--data', fresh, '--json'])
      assert.equal(first.status, 0, first.stderr)
      const report = JSON.parse(first.stdout) as { applied: string[]; current: string[] }
      assert.ok(report.applied.includes('0001_instance'))
      const second = JSON.parse(runCli(['migrate', '--data', fresh, '--json']).stdout)
      assert.deepEqual(second.applied, [])
    } finally {
      rmSync(fresh, { recursive: true, force: true })
    }
  })
})
