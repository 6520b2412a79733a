import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { get as httpsGet } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startServeProcess } from './cli-process.js'

// "Encrypted at all times, both during transfer and rest": with a certificate,
// serve speaks HTTPS only and tells browsers to stay on it (HSTS).
describe('custodian serve with TLS', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'custodian-tls-'))
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    )
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('answers over HTTPS with HSTS and refuses plain HTTP', async () => {
    const server = await startServeProcess([
      '--data',
      join(dir, 'data'),
      '--tls-cert',
      join(dir, 'cert.pem'),
      '--tls-key',
      join(dir, 'key.pem'),
    ])
    try {
      assert.match(server.url, /^https:\/\//)
      const ca = readFileSync(join(dir, 'cert.pem'))
      const answer = await new Promise<{ status: number; hsts: string | undefined }>(
        (resolve, reject) => {
          httpsGet(`${server.url}/healthz`, { ca }, (response) => {
            response.resume()
            resolve({
              status: response.statusCode ?? 0,
              hsts: response.headers['strict-transport-security'],
            })
          }).on('error', reject)
        },
      )
      assert.equal(answer.status, 200)
      assert.match(answer.hsts ?? '', /max-age=31536000; includeSubDomains/)
      const plain = await new Promise<string>((resolve) => {
        httpGet(server.url.replace('https:', 'http:') + '/healthz', (response) => {
          response.resume()
          resolve(`status ${response.statusCode}`)
        }).on('error', (error) => resolve(`error ${error.message}`))
      })
      assert.doesNotMatch(plain, /status 200/)
      assert.ok(!server.output.some((line) => line.includes('TLS is not configured')))
    } finally {
      server.child.kill('SIGTERM')
      await server.exited
    }
  })

  test('without a certificate the log says TLS must be terminated in front', async () => {
    const server = await startServeProcess(['--data', join(dir, 'plain')])
    server.child.kill('SIGTERM')
    await server.exited
    assert.ok(server.output.some((line) => line.includes('TLS is not configured')))
  })
})
