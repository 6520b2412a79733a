import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import nodemailer from 'nodemailer'
import { decodeEncodedWords, decodeQuotedPrintable, parseMessage } from './parse-message.js'

// The reader other tests trust to get a code out of a mail: checked against the RFCs'
// own examples and hand-written messages, then against what nodemailer writes.
describe('parseMessage', () => {
  test('decodes the encoded words of RFC 2047 §8', () => {
    assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?Andr=E9?= Pirard'), 'André Pirard')
    assert.equal(
      decodeEncodedWords('=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?='),
      'If you can read this yo',
    )
    assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)'), '(ab)')
    assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a?= b)'), '(a b)')
    assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a_b?=)'), '(a b)')
    assert.equal(decodeEncodedWords('=?UTF-8?Q?Gr=C3=BC=C3=9Fe?='), 'Grüße')
  })

  test('decodes quoted-printable with soft line breaks and trailing white space', () => {
    assert.equal(
      decodeQuotedPrintable('caf=C3=A9 =\r\nnoir  \r\nend').toString('utf8'),
      'café noir\r\nend',
    )
    assert.equal(decodeQuotedPrintable('a=3Db').toString('utf8'), 'a=b')
  })

  test('reads a hand-written multipart message: folded headers, QP and base64 parts', () => {
    const raw = Buffer.from(
      [
        'From: =?UTF-8?B?w4l2YQ==?= <eva@example.com>',
        'To: bob@example.org',
        'Subject: =?UTF-8?Q?Ihr_Code_f=C3=BCr?=',
        ' =?UTF-8?Q?_die_Pr=C3=BCfung?=',
        'X-Long: one',
        '\ttwo',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        'preamble to ignore',
        '--outer',
        'Content-Type: multipart/alternative; boundary=inner',
        '',
        '--inner',
        'Content-Type: text/plain; charset="iso-8859-1"',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Code: 123456 =E0 bient=F4=',
        't',
        '--inner',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('<p>Code: <b>123456</b></p>').toString('base64'),
        '--inner--',
        '--outer',
        'Content-Type: text/plain',
        'Content-Disposition: attachment; filename="notes.txt"',
        '',
        'not the body',
        '--outer--',
        'epilogue',
      ].join('\r\n'),
    )
    const message = parseMessage(raw)
    assert.equal(message.header('subject'), 'Ihr Code für die Prüfung')
    assert.equal(message.header('FROM'), 'Éva <eva@example.com>')
    assert.equal(message.header('x-long'), 'one\ttwo')
    assert.equal(message.text, 'Code: 123456 à bientôt')
    assert.equal(message.html, '<p>Code: <b>123456</b></p>')
    assert.deepEqual(message.partTypes, ['text/plain', 'text/html', 'text/plain'])
  })

  test('reads raw UTF-8 header fields (RFC 6532) and a body without Content-Type', () => {
    const raw = Buffer.from('To: jörg@bücher.de\nSubject: Grüße\n\nline one\nline two\n', 'utf8')
    const message = parseMessage(raw)
    assert.equal(message.header('To'), 'jörg@bücher.de')
    assert.equal(message.header('Subject'), 'Grüße')
    assert.equal(message.text, 'line one\nline two\n')
  })

  test('reads back what nodemailer writes, in each of its encodings', async () => {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true })
    const text = `Grüße, ${'lang '.repeat(40)}\nZweite Zeile: 123456\n`
    for (const options of [
      { textEncoding: 'Q' as const },
      { textEncoding: 'B' as const, encoding: 'base64' },
      { encoding: 'quoted-printable' },
    ]) {
      const sent = await transport.sendMail({
        from: 'a@example.com',
        to: 'b@example.com',
        subject: `Bestätigung ✓${' lang'.repeat(20)}`,
        text,
        html: '<p>Grüße</p>',
        ...options,
      })
      assert.ok(Buffer.isBuffer(sent.message))
      const message = parseMessage(sent.message)
      assert.equal(message.header('subject'), `Bestätigung ✓${' lang'.repeat(20)}`)
      assert.equal(message.text, text)
      assert.equal(message.html, '<p>Grüße</p>')
    }
  })
})
