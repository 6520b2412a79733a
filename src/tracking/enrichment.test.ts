import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { createGeoLocator } from './geo-ip.js'
import { createUserAgentParser, parseUserAgent } from './user-agent.logic.js'

const geo = createGeoLocator()
after(() => geo.close())

test('user agents are parsed to browser, major version, OS and device type', () => {
  assert.deepEqual(
    parseUserAgent(
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    ),
    { browser: 'Safari', browserVersion: '17', os: 'macOS', device: 'desktop' },
  )
  assert.deepEqual(
    parseUserAgent(
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    ),
    { browser: 'Chrome', browserVersion: '131', os: 'Android', device: 'mobile' },
  )
  assert.equal(
    parseUserAgent(
      'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
    ).device,
    'tablet',
  )
  assert.equal(parseUserAgent('Googlebot/2.1 (+http://www.google.com/bot.html)').device, 'bot')
  assert.deepEqual(parseUserAgent(null), {
    browser: null,
    browserVersion: null,
    os: null,
    device: 'unknown',
  })
})

test('the cached parser answers the same as the parser', () => {
  const parse = createUserAgentParser(2)
  const agent = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
  assert.deepEqual(parse(agent), parseUserAgent(agent))
  assert.deepEqual(parse(agent), parseUserAgent(agent))
})

test('public addresses are located offline; private and reserved ones are not', async () => {
  assert.deepEqual(await geo.locate('81.2.69.142'), {
    country: 'GB',
    region: 'England',
    city: 'London',
  })
  assert.equal((await geo.locate('2a00:1450:4001:81b::200e'))?.country, 'DE')
  for (const address of ['127.0.0.1', '10.1.2.3', '192.168.0.1', '::1', 'not-an-ip']) {
    assert.equal(await geo.locate(address), null, address)
  }
})
