import type { FixtureVisitor } from './fixture-file.js'

/**
 * Who the upgrade fixture's world holds, in clear: invented people with addresses under
 * example.com, and the passwords of invented operators. As release-world.ts puts them
 * in and the fixture's facts repeat them, the upgrade test can check what reads back.
 * Every address is ASCII: c6a3ec2 accepted no international address. Some are in mixed
 * case, as people type them, so the blind index's normal form is tested too.
 */

export const browserAgent =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15'

export const ownerInput = {
  email: 'Olivia.Owner@Example.com',
  password: 'fixture-only owner passphrase 1',
  role: 'owner',
  firstName: 'Olivia',
  lastName: 'Owner',
}
export const agentInput = {
  email: 'agent.alvarez@example.com',
  password: 'fixture-only agent passphrase 2',
  role: 'agent',
  firstName: 'Andrés',
  lastName: 'Álvarez',
}

export const ada = {
  email: 'Ada.Lovelace@Example.com',
  externalId: 'cust-ada-0001',
  name: 'Ada Lovelace',
  attributes: { plan: 'pro', seats: 12, vip: true, renewsOn: '2027-01-31' },
}
export const bruno = {
  email: 'bruno.bauer@example.com',
  name: 'Bruno Bauer',
  attributes: { plan: 'free' },
}
export const chen = { externalId: 'cust-chen-0003', name: '陈静', attributes: { locale: 'zh-CN' } }
export const dora = {
  email: 'dora.deleted@example.com',
  externalId: 'cust-dora-0004',
  name: 'Dora Deleted',
  attributes: { plan: 'trial' },
}

export const adaBrowser = 'anon-ada-browser-01'
export const gpcVisitor = 'anon-gpc-visitor-02'
export const refuser = 'anon-refuser-03'
export const shop = 'https://shop.example'

export const purposeNames = [
  'support',
  'analytics',
  'marketing',
  'enrichment',
  'profiling',
  'product-research',
]

/** The visitors and the pages stored for them (the refused one has none). */
export const visitors: FixtureVisitor[] = [
  {
    anonymousId: adaBrowser,
    identifiedAs: ada.externalId,
    pages: [`${shop}/pricing`, `${shop}/account`],
  },
  { anonymousId: gpcVisitor, pages: [`${shop}/blog/gpc`] },
  { anonymousId: refuser, pages: [] },
]
