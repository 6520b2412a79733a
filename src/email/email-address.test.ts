import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fullFormats } from 'ajv-formats/dist/formats.js'
import { emailAsTyped, isEmailAddress, normaliseEmail } from './index.js'

function assertAccepted(addresses: string[]) {
  for (const address of addresses) assert.ok(isEmailAddress(address), `accepts ${address}`)
}

function assertRefused(addresses: string[]) {
  for (const address of addresses) {
    assert.ok(!isEmailAddress(address), `refuses ${JSON.stringify(address)}`)
  }
}

describe('isEmailAddress', () => {
  test('accepts ordinary ASCII addresses', () => {
    assertAccepted([
      'ada@example.com',
      'Ada.Lovelace@Example.COM',
      "o'brien+news@mail.example.co.uk",
      'x_y-z=1@sub-domain.example',
      'user@xn--bcher-kva.de',
    ])
  })

  test('accepts international addresses (RFC 6531) in many scripts', () => {
    assertAccepted([
      'josé@example.com',
      'user@bücher.de',
      'Jos\u0065\u0301@example.com', // é typed as e + combining acute: NFC makes it one
      'straße@straße.de',
      'почта@пример.рф',
      'δοκιμή@παράδειγμα.δοκιμή',
      '山田@例え.テスト',
      '用户@例子.广告',
      'उपयोगकर्ता@उदाहरण.भारत',
      'مستخدم@مثال.شبكة',
      '東京-tokyo@東京.jp', // Han with Latin: the Japanese set
      'user@аррӏе.рф', // Cyrillic letters under a Cyrillic TLD
    ])
  })

  test('refuses a label or local part that mixes Latin with Cyrillic or Greek', () => {
    assertRefused([
      'user@p\u0430ypal.com', // Cyrillic а
      'user@xn--pypal-4ve.com', // the same domain spelt as its A-label
      'p\u0430ypal@example.com',
      'user@g\u03bfogle.com', // Greek ο
      'user@\u0430\u03b1.com', // Cyrillic with Greek
    ])
  })

  test('refuses a label or local part that mixes directions (RFC 5893)', () => {
    assertRefused(['user@a\u05d0.com', 'a\u05d0@example.com', 'user@\u0627b.com'])
  })

  test('refuses a label wholly in Cyrillic or Greek letters that copy Latin ones', () => {
    assertRefused(['user@аррӏе.com', 'user@xn--80ak6aa92e.com', 'user@ονο.com'])
  })

  test('refuses scripts outside the recommended ones, symbols and emoji', () => {
    assertRefused([
      '\u13aada@example.com', // Cherokee Ꭺ
      'me@i\u2764.ws',
      'me@xn--i-7iq.ws',
      '\u{1f48c}@example.com',
    ])
  })

  test('refuses digits of two systems in one label or atom', () => {
    assertRefused(['\u0663\u06f3@example.com', 'अ१1@example.com', 'user@अ१1.com'])
    assertAccepted(['अ१२@example.com', 'user@अ१२.com'])
  })

  test('refuses invisible and format characters anywhere', () => {
    const invisible = ['\u200d', '\u200c', '\u200b', '\u00ad', '\u2060', '\ufeff']
    const bidi = ['\u202e', '\u202d', '\u200f', '\u200e', '\u2066', '\u2069', '\u061c']
    for (const char of [...invisible, ...bidi]) {
      assertRefused([`ad${char}a@example.com`, `ada@exa${char}mple.com`, `${char}ada@example.com`])
    }
  })

  test('refuses control characters and whitespace', () => {
    for (const char of ['\u0000', '\u0007', '\t', '\n', '\r', '\u007f', '\u0085', ' ', '\u00a0']) {
      assertRefused([`ad${char}a@example.com`, `ada@example.com${char}`, `${char}ada@example.com`])
    }
  })

  test('refuses full-width and other compatibility characters', () => {
    assertRefused([
      'user\uff20example.com', // full-width ＠
      'user\ufe6bexample.com', // small ﹫
      'user@\uff45xample.com', // full-width e
      '\uff41da@example.com',
      '\ufb01le@example.com', // the ﬁ ligature
      'ada@example\u3002com', // ideographic full stop
    ])
  })

  test('refuses what UTS #46 refuses', () => {
    assertRefused([
      'user@xn--zz.de', // not Punycode
      'user@bücher.123', // a numeric top-level label
      'user@a\u200db.com',
      'user@\u05d0a.com', // RFC 5893: a right-to-left label holds no left-to-right letter
    ])
  })

  test('refuses what is not one mailbox', () => {
    assertRefused([
      '',
      'ada',
      'ada@',
      '@example.com',
      'ada@@example.com',
      'ada@bob@example.com',
      'a..b@example.com',
      '.ada@example.com',
      'ada.@example.com',
      '"ada lovelace"@example.com',
      'ada@[192.0.2.1]',
      'ada@localhost',
      'ada@example.com.',
      'ada@-example.com',
      'ada@exa_mple.com',
      '\u0301ada@example.com', // a combining mark with nothing to combine with
      `${'a'.repeat(310)}@example.com`,
    ])
  })

  test('accepts every ASCII address the route schemas accepted before (seeded sample)', () => {
    const random = seededRandom(15)
    const atext = "abcxyzABCXYZ0189!#$%&'*+/=?^_`{|}~-"
    const ldh = 'abcxyzABCXYZ0189'
    const pick = (chars: string, count: number) =>
      Array.from({ length: count }, () => chars[Math.floor(random() * chars.length)]).join('')
    const label = () => {
      const length = 1 + Math.floor(random() * 12)
      return length < 3
        ? pick(ldh, length)
        : `${pick(ldh, 1)}${pick(`${ldh}-`, length - 2)}${pick(ldh, 1)}`
    }
    for (let round = 0; round < 2000; round += 1) {
      const local = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
        pick(atext, 1 + Math.floor(random() * 8)),
      ).join('.')
      const domain = Array.from({ length: 2 + Math.floor(random() * 3) }, label).join('.')
      const address = `${local}@${domain}`
      if (/(?:^|\.)xn--/i.test(domain)) continue
      assert.ok(fullFormats.email instanceof RegExp && fullFormats.email.test(address), address)
      assert.ok(isEmailAddress(address), address)
    }
  })
})

describe('normaliseEmail', () => {
  test('an ASCII address is trimmed and lower-cased, exactly as before', () => {
    assert.equal(normaliseEmail('  Ada.Lovelace@Example.COM \n'), 'ada.lovelace@example.com')
    assert.equal(normaliseEmail('USER@XN--BCHER-KVA.DE'), 'user@xn--bcher-kva.de')
    assert.equal(normaliseEmail('X@1.2.3.4'), 'x@1.2.3.4')
    const random = seededRandom(46)
    for (let round = 0; round < 2000; round += 1) {
      const text = Array.from({ length: Math.floor(random() * 40) }, () =>
        String.fromCharCode(Math.floor(random() * 128)),
      ).join('')
      assert.equal(normaliseEmail(text), text.trim().toLowerCase(), JSON.stringify(text))
    }
  })

  test('the domain becomes its A-label, so the U-label and A-label forms are one address', () => {
    assert.equal(normaliseEmail('user@bücher.de'), 'user@xn--bcher-kva.de')
    assert.equal(normaliseEmail('user@BÜCHER.de'), normaliseEmail('user@xn--bcher-kva.de'))
    assert.equal(normaliseEmail('山田@例え.テスト'), '山田@xn--r8jz45g.xn--zckzah')
  })

  test('the local part is in NFC and lower-cased beyond ASCII too; ß stays ß', () => {
    assert.equal(normaliseEmail('JOSE\u0301@Example.com'), 'jos\u00e9@example.com')
    assert.equal(normaliseEmail('José@example.com'), normaliseEmail('josé@EXAMPLE.com'))
    assert.equal(normaliseEmail('Straße@straße.de'), 'straße@xn--strae-oqa.de')
  })

  test('text that is not an address keeps the NFC, lower-cased form', () => {
    assert.equal(normaliseEmail(' Jos\u0065\u0301 '), 'jos\u00e9')
    assert.equal(normaliseEmail('josé@xn--zz.de'), 'josé@xn--zz.de')
  })
})

test('emailAsTyped keeps the case and the Unicode form the person chose, in NFC', () => {
  assert.equal(emailAsTyped(' Jos\u0065\u0301@Bücher.de '), 'Jos\u00e9@Bücher.de')
})

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function seededRandom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
