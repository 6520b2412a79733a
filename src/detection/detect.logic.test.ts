import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { defaultDetectionThreshold, detectSensitiveData } from './detect.logic.js'

const flagged = (text: string) =>
  detectSensitiveData(text, { threshold: defaultDetectionThreshold }).map((finding) => ({
    kind: finding.kind,
    scheme: finding.scheme,
    value: text.slice(finding.start, finding.end),
  }))

describe('cards', () => {
  test('a Luhn-valid number of a known issuer and length is a card, spaced, dashed or compact', () => {
    for (const value of ['4111 1111 1111 1111', '5555-5555-5555-4444', '378282246310005']) {
      assert.deepEqual(
        flagged(`my card ${value}`).map((finding) => finding.value),
        [value],
      )
    }
    assert.equal(flagged('card 378282246310005')[0]?.scheme, 'amex')
  })

  test('a wrong check digit, an unknown issuer or a wrong length is no card', () => {
    assert.deepEqual(flagged('my card 4111 1111 1111 1112'), [])
    assert.deepEqual(flagged('my card 9111 1111 1111 1116'), [], 'no issuer starts with 9')
    assert.deepEqual(flagged('my card 3782 8224 6310 0052'), [], 'Amex has 15 digits')
  })

  test('an order number that passes Luhn is not flagged; the word card raises a bare one', () => {
    assert.deepEqual(flagged('Order 4111111111111111 has not arrived'), [])
    const bare = detectSensitiveData('4111 1111 1111 1111')[0]?.confidence ?? 0
    const named = detectSensitiveData('card: 4111 1111 1111 1111')[0]?.confidence ?? 0
    assert.ok(named > bare && bare >= defaultDetectionThreshold)
  })

  test('a card inside a longer run of digits is found as its own groups', () => {
    const found = flagged('call 0171 2345678, card 4111 1111 1111 1111')
    assert.deepEqual(
      found.map((finding) => finding.value),
      ['4111 1111 1111 1111'],
    )
  })
})

describe('IBANs', () => {
  test('mod-97-valid with the country length, compact or in fours, any case', () => {
    for (const value of [
      'DE89370400440532013000',
      'DE89 3704 0044 0532 0130 00',
      'GB82 WEST 1234 5698 7654 32',
      'fr1420041010050500013m02606',
    ]) {
      assert.deepEqual(flagged(`pay to ${value} please`), [
        { kind: 'iban', scheme: value.slice(0, 2).toLowerCase(), value },
      ])
    }
  })

  test('a wrong check, a wrong length or an unknown country is no IBAN', () => {
    assert.deepEqual(flagged('IBAN DE88370400440532013000'), [])
    assert.deepEqual(flagged('IBAN DE8937040044053201300'), [])
    assert.deepEqual(flagged('IBAN ZZ89370400440532013000'), [])
  })
})

describe('US SSNs', () => {
  test('the SSA never issues area 000, 666 or 900–999, group 00 or serial 0000', () => {
    assert.equal(flagged('SSN 123-45-6789').length, 1)
    for (const never of [
      '000-12-3456',
      '666-12-3456',
      '912-12-3456',
      '123-00-4567',
      '123-45-0000',
    ]) {
      assert.deepEqual(flagged(`SSN ${never}`), [], never)
    }
  })

  test('nine bare digits are an SSN only when the words say so', () => {
    assert.deepEqual(flagged('ticket 123456789'), [])
    assert.equal(flagged('my SSN 123456789')[0]?.kind, 'us_ssn')
  })
})

describe('national ids', () => {
  const cases = [
    ['Steuer-ID 86095742719', 'de_tax_id', '86095742719'],
    ['DNI 12345678Z', 'es_dni', '12345678Z'],
    ['NIE X1234567L', 'es_nie', 'X1234567L'],
    ['codice fiscale RSSMRA85T10A562S', 'it_codice_fiscale', 'RSSMRA85T10A562S'],
    ['sécurité sociale 2 55 08 14 168 025 38', 'fr_nir', '2 55 08 14 168 025 38'],
    ['PESEL 44051401359', 'pl_pesel', '44051401359'],
    ['BSN 111222333', 'nl_bsn', '111222333'],
    ['personnummer 811218-9876', 'se_personnummer', '811218-9876'],
    ['hetu 131052-308T', 'fi_hetu', '131052-308T'],
    ['rijksregisternummer 85.07.30-033.28', 'be_national_number', '85.07.30-033.28'],
  ] as const

  test('each scheme is found with its check digit, and the finding names the scheme', () => {
    for (const [text, scheme, value] of cases) {
      assert.deepEqual(flagged(text), [{ kind: 'national_id', scheme, value }], text)
    }
  })

  test('the same numbers with a wrong check digit are not', () => {
    for (const text of [
      'Steuer-ID 86095742718',
      'DNI 12345678A',
      'NIE X1234567M',
      'codice fiscale RSSMRA85T10A562T',
      'sécurité sociale 2 55 08 14 168 025 39',
      'PESEL 44051401358',
      'BSN 111222334',
      'personnummer 811218-9877',
      'hetu 131052-308U',
      'rijksregisternummer 85.07.30-033.29',
    ]) {
      assert.deepEqual(flagged(text), [], text)
    }
  })

  test('a bare BSN is below the threshold: one nine-digit number in eleven passes its check', () => {
    assert.deepEqual(flagged('111222333'), [])
    assert.ok((detectSensitiveData('111222333')[0]?.confidence ?? 1) < defaultDetectionThreshold)
  })

  test('a word naming the scheme settles it; an invoice word puts bare digits below the threshold', () => {
    assert.equal(flagged('PESEL 44051401359')[0]?.scheme, 'pl_pesel')
    assert.deepEqual(flagged('invoice 44051401359'), [])
  })
})

describe('health, email, phone', () => {
  test('health hints in English, German, French and Spanish name their category', () => {
    assert.deepEqual(
      ['I am pregnant', 'Ich bin schwanger', 'Je suis enceinte', 'Estoy embarazada'].map(
        (text) => flagged(text)[0]?.scheme,
      ),
      ['pregnancy', 'pregnancy', 'pregnancy', 'pregnancy'],
    )
    assert.equal(flagged('I use a wheelchair')[0]?.scheme, 'disability')
    assert.deepEqual(flagged('the data processing (traitement de données) is fine'), [])
  })

  test('emails are checked; phones are E.164-valid, national ones read in a region', () => {
    assert.deepEqual(flagged('write to ada@example.com.'), [
      { kind: 'email', scheme: undefined, value: 'ada@example.com' },
    ])
    assert.equal(flagged('call +49 30 901820')[0]?.kind, 'phone')
    assert.deepEqual(flagged('call 030 901820'), [])
    const national = detectSensitiveData('call 030 901820', { phoneRegion: 'DE', threshold: 0.5 })
    assert.equal(national[0]?.kind, 'phone')
  })
})

test('a finding holds kind, scheme, offsets and confidence, never the value', () => {
  const text = 'card 4111 1111 1111 1111, IBAN DE89370400440532013000, SSN 123-45-6789'
  const findings = detectSensitiveData(text)
  assert.equal(findings.length, 3)
  for (const finding of findings) {
    assert.deepEqual(
      Object.keys(finding).sort(),
      ['confidence', 'end', 'kind', 'scheme', 'start'].filter(
        (key) => key !== 'scheme' || finding.scheme !== undefined,
      ),
    )
    const serialised = JSON.stringify(finding)
    for (const value of ['4111', 'DE89', '6789']) assert.ok(!serialised.includes(value))
  }
})
