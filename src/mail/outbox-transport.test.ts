import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, beforeEach, describe, test } from 'node:test'
import { ManualClock } from '../clock.js'
import { AppError } from '../errors.js'
import { captureLogs } from '../testing/log-capture.js'
import type { MailTransport } from './mail-transport.js'
import { createOutboxTransport, outboxDirectory } from './outbox-transport.js'
import { readOutbox } from './testing/outbox.js'

const sender = { name: 'Custodian', address: 'no-reply@localhost' }
const root = mkdtempSync(join(tmpdir(), 'custodian-outbox-'))
after(() => rmSync(root, { recursive: true, force: true }))

let directory: string
let clock: ManualClock
let transport: MailTransport
beforeEach(() => {
  directory = outboxDirectory(mkdtempSync(join(root, 'data-')))
  clock = new ManualClock('2026-03-01T09:30:00.250Z')
  transport = createOutboxTransport({ directory, sender, clock })
})

const codeMail = {
  to: 'jo.smith@bücher.de',
  subject: 'Ihr Bestätigungscode ✓',
  text: 'Guten Tag,\n\nIhr Code lautet 123456.\n',
  html: '<p>Ihr Code lautet <b>123456</b>.</p>',
  headers: { 'X-Custodian-Request': 'req-1' },
}

function emlFiles(): string[] {
  return readdirSync(directory).filter((name) => name.endsWith('.eml'))
}

describe('outbox transport', () => {
  test('writes one RFC 5322 file per message, readable by its owner only', async () => {
    const sent = await transport.send(codeMail)
    const [file, ...others] = readdirSync(directory)
    assert.deepEqual(others, [], 'no temporary file is left beside it')
    assert.match(file ?? '', /^20260301T093000\.250Z-000001-[0-9a-f]{12}\.eml$/)
    const path = join(directory, file!)
    assert.equal(statSync(path).mode & 0o777, 0o600)
    assert.equal(statSync(directory).mode & 0o777, 0o700)
    const raw = await readFile(path, 'latin1')
    const [head = '', ...body] = raw.split('\r\n\r\n')
    assert.ok(body.length > 0, 'headers end with an empty line')
    assert.ok(
      raw.split('\r\n').every((line) => !line.includes('\n') && line.length <= 998),
      'CRLF line ends, lines of at most 998 characters (RFC 5322 §2.1.1)',
    )
    for (const field of [
      'From: Custodian <no-reply@localhost>',
      'To: jo.smith@xn--bcher-kva.de',
      'Subject: =?UTF-8?',
      `Message-ID: ${sent.messageId}`,
      'Date: Sun, 01 Mar 2026 09:30:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative;',
      'Auto-Submitted: auto-generated',
      'X-Custodian-Request: req-1',
    ]) {
      assert.ok(
        head.split('\r\n').some((line) => line.startsWith(field)),
        `has ${field}`,
      )
    }
    // 7-bit clean: what a mail server or any mail client takes without SMTPUTF8 or 8BITMIME.
    assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(raw))
  })

  test('a mail tool that is not ours reads the file: Python’s email package', async (context) => {
    const python = hasPython()
    if (!python) {
      context.skip('python3 is not installed')
      return
    }
    await transport.send(codeMail)
    const [file] = emlFiles()
    const script = [
      'import email, email.policy, json, sys',
      'm = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)',
      'body = m.get_body(preferencelist=("plain",))',
      'html = m.get_body(preferencelist=("html",))',
      'print(json.dumps({"to": str(m["to"]), "subject": str(m["subject"]),',
      '  "date": m["date"].datetime.isoformat(), "id": str(m["message-id"]),',
      '  "text": body.get_content(), "html": html.get_content(), "defects": len(m.defects)}))',
    ].join('\n')
    const read = JSON.parse(
      execFileSync('python3', ['-c', script, join(directory, file!)], { encoding: 'utf8' }),
    )
    assert.equal(read.to, 'jo.smith@xn--bcher-kva.de')
    assert.equal(read.subject, codeMail.subject)
    assert.equal(read.date, '2026-03-01T09:30:00+00:00')
    assert.match(read.id, /^<[^@<>\s]+@localhost>$/)
    assert.equal(read.text, codeMail.text)
    assert.equal(read.html.trim(), codeMail.html)
    assert.equal(read.defects, 0)
  })

  test('a file appears under its final name whole, by a rename, never written in place', async () => {
    // inotify reports a file written in place as 'change' under its name; a file renamed
    // into place only as 'rename'. The marker file's event comes after every earlier one.
    const events: { type: string; name: string }[] = []
    const marker = 'zz-marker'
    const markerSeen = new Promise<void>((resolve) => {
      mkdirSync(directory, { recursive: true })
      const watcher = watch(directory, (type, name) => {
        events.push({ type, name: name ?? '' })
        if (name === marker) {
          watcher.close()
          resolve()
        }
      })
    })
    await transport.send(codeMail)
    await transport.send({ ...codeMail, subject: 'second' })
    writeFileSync(join(directory, marker), '')
    await markerSeen
    const [first, second] = emlFiles()
    for (const file of [first, second]) {
      const onFinal = events.filter((event) => event.name === file)
      assert.ok(onFinal.length > 0, `saw ${file} appear`)
      assert.deepEqual(new Set(onFinal.map((event) => event.type)), new Set(['rename']))
    }
    const temporary = events.filter((event) => event.name.endsWith('.tmp'))
    assert.ok(
      temporary.some((event) => event.type === 'change'),
      'the content went to a temporary file',
    )
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.endsWith('.tmp')),
      [],
      'no temporary file is left',
    )
  })

  test('readOutbox gives the messages back, oldest first, with to, subject and text', async () => {
    assert.deepEqual(await readOutbox(directory), [], 'no outbox yet: no messages')
    await transport.send(codeMail)
    clock.advance(1)
    await transport.send({ to: 'Eve@Example.com', subject: 'Zweite', text: 'Zwei\n' })
    // Same millisecond: the sequence keeps the order.
    await transport.send({ to: 'eve@example.com', subject: 'Dritte', text: 'Drei\n' })
    // A write under way and a stray file are not messages.
    writeFileSync(join(directory, '.20260301T093000.250Z-000009-aaaaaaaaaaaa.eml.tmp'), 'To: x')
    writeFileSync(join(directory, 'notes.txt'), 'hello')
    const messages = await readOutbox(directory)
    assert.deepEqual(
      messages.map((message) => [message.to, message.subject, message.text]),
      [
        ['jo.smith@xn--bcher-kva.de', codeMail.subject, codeMail.text],
        // The local part keeps its case (RFC 5321 §2.4); the domain is an A-label.
        ['Eve@example.com', 'Zweite', 'Zwei\n'],
        ['eve@example.com', 'Dritte', 'Drei\n'],
      ],
    )
    const first = messages[0]!
    assert.equal(first.html, codeMail.html)
    assert.equal(first.from, 'Custodian <no-reply@localhost>')
    assert.equal(first.date.toISOString(), '2026-03-01T09:30:00.000Z')
    assert.equal(first.parsed.header('X-Custodian-Request'), 'req-1')
    assert.equal(/\b(\d{6})\b/.exec(first.text)?.[1], '123456')
  })

  test('says in the log which file it wrote, never to whom', async () => {
    const logs = captureLogs()
    const logged = createOutboxTransport({ directory, sender, clock, logger: logs.logger })
    await logged.send(codeMail)
    await new Promise((resolve) => setImmediate(resolve))
    const [file] = emlFiles()
    assert.ok(logs.lines().some((line) => line.outboxFile === file))
    assert.ok(!logs.text().includes('jo.smith') && !logs.text().includes('123456'))
  })

  test('headers the transport owns, or with a line break, are refused and nothing is written', async () => {
    const refused: Record<string, string>[] = [
      { Bcc: 'someone@example.com' },
      { 'reply-to': 'someone@example.com' },
      { 'Content-Type': 'text/html' },
      { 'X-Bad Name': 'x' },
      { 'X-Injected': 'a\r\nBcc: someone@example.com' },
    ]
    for (const headers of refused) {
      await assert.rejects(transport.send({ ...codeMail, headers }), (error) => {
        assert.ok(error instanceof AppError)
        assert.equal(error.code, 'internal')
        return true
      })
    }
    assert.deepEqual(await readOutbox(directory), [])
  })

  test('an outbox that cannot be written is mail_unavailable, with no file left', async () => {
    mkdirSync(join(directory, '..'), { recursive: true })
    writeFileSync(directory, 'a file where the folder should be')
    const error = await transport.send(codeMail).then(
      () => assert.fail('expected the send to fail'),
      (failure: unknown) => failure,
    )
    assert.ok(error instanceof AppError)
    assert.equal(error.code, 'mail_unavailable')
    assert.match(error.message, /^Mail was not written to the outbox \(E[A-Z]+\)$/)
    assert.deepEqual(readdirSync(join(directory, '..')), ['outbox'])
  })

  test('a send after close is refused', async () => {
    await transport.close()
    await assert.rejects(transport.send(codeMail), { code: 'mail_unavailable' })
  })
})

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'import email.policy'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
