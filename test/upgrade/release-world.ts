import { totpCodeAt } from '../../src/identity/totp.js'
import type { FixtureContact, FixtureFacts, FixtureOperator } from './fixture-file.js'
import { type ReleaseApi, sessionCookieOf, textAt, valueAt } from './release-client.js'
import {
  ada,
  adaBrowser,
  agentInput,
  browserAgent,
  bruno,
  chen,
  dora,
  gpcVisitor,
  ownerInput,
  refuser,
  shop,
} from './world-people.js'

/**
 * The small world the fixture holds, made through a release's REST API as its users
 * would: a workspace's operators (the owner with TOTP), purposes and a policy version,
 * contacts, consents of every kind (grant, withdrawal, objection, GPC, re-consent after
 * a policy), a visitor's events before and after identify, an enrichment, an erasure.
 * All names and addresses are invented; every address is under example.com.
 *
 * In two phases, so the workspace key is rotated in between (by the CLI, the server
 * stopped): data sealed under both workspace key versions survives the upgrade.
 */

export interface PhaseOne {
  owner: FixtureOperator
  agent: FixtureOperator
  extraSecretKey: string
  contacts: FixtureContact[]
}

/** The owner signs up with TOTP and invites an agent; purposes, contacts, Ada's visits. */
export async function populatePhaseOne(
  api: ReleaseApi,
  invite: { workspaceId: string; ownerId: string; ownerSetupToken: string },
): Promise<PhaseOne> {
  const owner = await signUpOwner(api, invite)
  const agent = await inviteAgent(api)
  const created = await api.call('POST', '/v1/api-keys', {
    auth: 'owner-session',
    body: { kind: 'secret', label: 'fixture backend' },
  })
  await api.call('PATCH', '/v1/purposes/analytics', {
    body: { description: 'Which pages of the shop are read, to improve them (reworded)' },
  })
  await api.call('POST', '/v1/purposes', {
    body: {
      name: 'product-research',
      lawfulBasis: 'legitimate-interests',
      description: 'Aggregate research on how the product is used',
      dataCategories: ['browsing'],
    },
  })
  const contacts = [
    await createContact(api, ada),
    await createContact(api, bruno),
    await createContact(api, dora),
  ]
  await visitAndIdentify(api)
  const proof = { ip: '198.51.100.23', userAgent: browserAgent }
  for (const purpose of ['marketing', 'enrichment']) {
    await api.call('POST', '/v1/consents', {
      body: { externalId: ada.externalId, purpose, granted: true, proof },
    })
  }
  await api.call('POST', '/v1/consents', {
    body: { email: bruno.email, purpose: 'marketing', granted: true },
  })
  await api.call('POST', '/v1/consents/age', { body: { externalId: ada.externalId, age: 36 } })
  return { owner, agent, extraSecretKey: textAt(created.body, 'key'), contacts }
}

/** Chen objects, a GPC visitor and a refusal, a policy asking consent again, an erasure. */
export async function populatePhaseTwo(
  api: ReleaseApi,
  one: PhaseOne,
): Promise<FixtureFacts['contacts']> {
  const contacts = [...one.contacts, await createContact(api, chen)]
  await api.call('POST', '/v1/consents', {
    body: { externalId: chen.externalId, purpose: 'product-research', granted: false },
  })
  await visit(api, gpcVisitor, `${shop}/blog/gpc`, { 'sec-gpc': '1' })
  await api.call('POST', '/v1/consents', {
    auth: 'public',
    headers: { 'user-agent': browserAgent },
    body: { anonymousId: refuser, purpose: 'analytics', granted: false },
  })
  // Refused: the release drops the event (202, nothing stored).
  await api.call('POST', '/v1/events', {
    auth: 'public',
    expect: 202,
    body: { batch: [{ type: 'page', anonymousId: refuser, url: `${shop}/refused` }] },
  })
  await api.call('POST', '/v1/consents', {
    body: { email: bruno.email, purpose: 'marketing', granted: false },
  })
  await api.call('POST', '/v1/policies', {
    body: {
      version: '2026-12',
      url: `${shop}/privacy/2026-12`,
      text: 'We now also send a monthly newsletter.',
      reconsentPurposes: ['marketing'],
    },
  })
  await api.call('POST', '/v1/consents', {
    body: {
      externalId: ada.externalId,
      purpose: 'marketing',
      granted: true,
      policyVersion: '2026-12',
    },
  })
  const adaContact = contacts[0]
  if (adaContact === undefined) throw new Error('Ada was made first')
  await api.call('PATCH', `/v1/contacts/${adaContact.id}`, {
    body: { attributes: { seats: 15 } },
    expect: 200,
  })
  adaContact.attributes = { ...adaContact.attributes, seats: 15 }
  await api.call('POST', `/v1/contacts/${adaContact.id}/enrichment`, {
    body: {
      source: 'linkedin',
      fields: { company: 'Analytical Engines Ltd', jobTitle: 'Programmer' },
    },
    expect: 200,
  })
  const doraContact = contacts.find((contact) => contact.externalId === dora.externalId)
  if (doraContact === undefined) throw new Error('Dora was made in phase one')
  await api.call('DELETE', `/v1/contacts/${doraContact.id}`, { expect: 204 })
  doraContact.erased = true
  return contacts
}

async function signUpOwner(
  api: ReleaseApi,
  invite: { workspaceId: string; ownerId: string; ownerSetupToken: string },
): Promise<FixtureOperator> {
  await api.call('POST', '/v1/auth/setup', {
    auth: 'none',
    body: { token: invite.ownerSetupToken, password: ownerInput.password },
    expect: 200,
  })
  const login = await api.call('POST', '/v1/auth/login', {
    auth: 'none',
    body: {
      workspaceId: invite.workspaceId,
      email: ownerInput.email,
      password: ownerInput.password,
    },
    expect: 200,
  })
  api.keys.session = { cookie: sessionCookieOf(login), csrfToken: textAt(login.body, 'csrfToken') }
  const names = { firstName: ownerInput.firstName, lastName: ownerInput.lastName }
  await api.call('PATCH', '/v1/me', { auth: 'owner-session', body: names, expect: 200 })
  const enrolment = await api.call('POST', '/v1/me/2fa/enroll', {
    auth: 'owner-session',
    expect: 200,
  })
  const totpSecret = textAt(enrolment.body, 'secret')
  const confirmed = await api.call('POST', '/v1/me/2fa/confirm', {
    auth: 'owner-session',
    body: { code: totpCodeAt(totpSecret, new Date()) },
    expect: 200,
  })
  return {
    ...ownerInput,
    id: invite.ownerId,
    totpSecret,
    unusedRecoveryCode: textAt(confirmed.body, 'recoveryCodes', 0),
  }
}

async function inviteAgent(api: ReleaseApi): Promise<FixtureOperator> {
  const { password, ...profile } = agentInput
  const invited = await api.call('POST', '/v1/operators', { auth: 'owner-session', body: profile })
  await api.call('POST', '/v1/auth/setup', {
    auth: 'none',
    body: { token: textAt(invited.body, 'setupToken'), password },
    expect: 200,
  })
  return { ...agentInput, id: textAt(invited.body, 'operator', 'id') }
}

async function createContact(
  api: ReleaseApi,
  input: {
    email?: string
    externalId?: string
    name: string
    attributes: FixtureContact['attributes']
  },
): Promise<FixtureContact> {
  const created = await api.call('POST', '/v1/contacts', { body: input })
  return { ...input, id: textAt(created.body, 'id'), erased: false }
}

/** A visitor grants analytics from the browser and reads a page. */
async function visit(
  api: ReleaseApi,
  anonymousId: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const browser = { 'user-agent': browserAgent, ...headers }
  await api.call('POST', '/v1/consents', {
    auth: 'public',
    headers: browser,
    body: { anonymousId, purpose: 'analytics', granted: true },
  })
  const page = { type: 'page', anonymousId, url, title: 'A page', referrer: `${shop}/` }
  await ingest(api, [page], browser)
}

/** Ada browses anonymously, then signs in: identify links her visitor to her contact. */
async function visitAndIdentify(api: ReleaseApi): Promise<void> {
  await visit(api, adaBrowser, `${shop}/pricing`)
  const plan = {
    type: 'track',
    anonymousId: adaBrowser,
    name: 'Plan Viewed',
    properties: { plan: 'pro' },
  }
  await ingest(api, [plan], { 'user-agent': browserAgent })
  const token = await api.call('POST', '/v1/identity-tokens', {
    body: { externalId: ada.externalId },
  })
  const identity = { externalId: ada.externalId, identityToken: textAt(token.body, 'token') }
  const identify = {
    type: 'identify',
    anonymousId: adaBrowser,
    ...identity,
    traits: { email: ada.email, name: ada.name },
  }
  const account = { type: 'page', anonymousId: adaBrowser, ...identity, url: `${shop}/account` }
  await ingest(api, [identify, account], { 'user-agent': browserAgent })
}

async function ingest(
  api: ReleaseApi,
  batch: object[],
  headers: Record<string, string>,
): Promise<void> {
  const answer = await api.call('POST', '/v1/events', {
    auth: 'public',
    headers,
    body: { batch },
    expect: 202,
  })
  const accepted = valueAt(answer.body, ['accepted'])
  if (accepted !== batch.length) {
    throw new Error(
      `The release accepted ${String(accepted)} of ${batch.length} events: ${JSON.stringify(answer.body)}`,
    )
  }
}
