import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkSenderForEndpoint, parseMailFrom, parseSmtpUrl } from './mail-settings.js'

function endpoint(url: string) {
  const parsed = parseSmtpUrl(url)
  assert.ok(parsed.ok, `expected ${url} to be accepted`)
  return parsed.value
}

function problem(url: string): string {
  const parsed = parseSmtpUrl(url)
  assert.ok(!parsed.ok, `expected ${url} to be refused`)
  assert.ok(!parsed.problem.includes('hunter2'), 'a problem never quotes the password')
  return parsed.problem
}

describe('parseSmtpUrl', () => {
  test('smtp:// requires STARTTLS on port 587 unless a port is given', () => {
    assert.deepEqual(endpoint('smtp://mail.example.com'), {
      host: 'mail.example.com',
      port: 587,
      security: 'starttls',
    })
    assert.equal(endpoint('smtp://mail.example.com:25').port, 25)
  })

  test('smtps:// is TLS from the first byte, port 465', () => {
    assert.deepEqual(endpoint('smtps://mail.example.com/'), {
      host: 'mail.example.com',
      port: 465,
      security: 'implicit',
    })
  })

  test('credentials are %-decoded', () => {
    const parsed = endpoint('smtps://apikey%40example.com:p%40ss%3Aword@mail.example.com:2465')
    assert.equal(parsed.user, 'apikey@example.com')
    assert.equal(parsed.password, 'p@ss:word')
    assert.equal(parsed.port, 2465)
  })

  test('an international host becomes its A-label; IPv6 literals lose their brackets', () => {
    assert.equal(endpoint('smtps://mail.bücher.de').host, 'mail.xn--bcher-kva.de')
    assert.equal(endpoint('smtp://[::1]:1025?tls=off').host, '::1')
  })

  test('tls=off is for a server on this machine only', () => {
    assert.equal(endpoint('smtp://localhost:1025?tls=off').security, 'off')
    assert.equal(endpoint('smtp://127.0.0.1:1025?tls=off').security, 'off')
    assert.match(
      problem('smtp://u:hunter2@mail.example.com?tls=off'),
      /only for a mail server on this machine/,
    )
    assert.match(
      problem('smtp://u:hunter2@10.0.0.1?tls=off'),
      /only for a mail server on this machine/,
    )
    assert.match(problem('smtps://u:hunter2@localhost?tls=off'), /cannot be smtps/)
  })

  test('anything else is refused without quoting the URL', () => {
    assert.match(
      problem('http://u:hunter2@mail.example.com'),
      /smtp:\/\/ \(STARTTLS\) or smtps:\/\//,
    )
    assert.match(problem('smtp://u:hunter2@mail.example.com/path'), /smtp:\/\//)
    assert.match(problem('smtp://u:hunter2@mail.example.com#x'), /smtp:\/\//)
    assert.match(problem('smtp://u:hunter2@mail.example.com?tls=on'), /other than tls=off/)
    assert.match(problem('smtp://u:hunter2@mail.example.com?pool=1&tls=off'), /other than tls=off/)
    assert.match(problem('smtp://u@mail.example.com'), /both a user and a password/)
    assert.match(problem('smtp://:hunter2@mail.example.com'), /both a user and a password/)
    assert.match(problem('smtp://u:hunter2%zz@mail.example.com'), /broken %-escape/)
    assert.match(problem('smtp://u:hunter2@mail.example.com:0'), /port/)
    assert.match(problem('smtp://u:hunter2@[zz]'), /smtp:\/\//)
    assert.match(problem('smtp://'), /smtp:\/\//)
  })
})

describe('parseMailFrom', () => {
  test('takes an address with or without a display name', () => {
    assert.deepEqual(parseMailFrom('Custodian <no-reply@localhost>'), {
      ok: true,
      value: { name: 'Custodian', address: 'no-reply@localhost' },
    })
    assert.deepEqual(parseMailFrom('"Acme, Inc." <privacy@acme.example>'), {
      ok: true,
      value: { name: 'Acme, Inc.', address: 'privacy@acme.example' },
    })
    assert.deepEqual(parseMailFrom('dpo@bücher.de'), {
      ok: true,
      value: { name: '', address: 'dpo@bücher.de' },
    })
  })

  test('refuses lists, groups, bare names, bad addresses and line breaks', () => {
    for (const from of [
      'a@example.com, b@example.com',
      'team: a@example.com;',
      'Custodian',
      'Custodian <not an address>',
      'Custodian <no-reply@localhost>\r\nBcc: x@example.com',
      'x@-bad-.example',
    ]) {
      const parsed = parseMailFrom(from)
      assert.ok(!parsed.ok, `expected ${JSON.stringify(from)} to be refused`)
      assert.match(parsed.problem, /must be one address/)
    }
  })
})

describe('checkSenderForEndpoint', () => {
  const localhost = { name: 'Custodian', address: 'no-reply@localhost' }
  const own = { name: 'Acme', address: 'privacy@acme.example' }

  test('a sender at localhost goes only to a mail server on this machine', () => {
    assert.match(
      checkSenderForEndpoint(localhost, endpoint('smtps://mail.example.com')) ?? '',
      /address of your own domain/,
    )
    assert.equal(
      checkSenderForEndpoint(localhost, endpoint('smtp://localhost:1025?tls=off')),
      undefined,
    )
    assert.equal(checkSenderForEndpoint(own, endpoint('smtps://mail.example.com')), undefined)
  })
})
