import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { compactVerify, createLocalJWKSet } from 'jose'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { rotateSigningKey } from '../signing/index.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { recordController } from '../workspaces/testing/controller.js'
import type { ConsentReceipt } from './receipt.logic.js'
import { receiptSchemaValidator } from './testing/consent.js'
import { kantaraSchemaValidator, verifyCompactWithNodeCrypto } from './testing/kantara.js'

interface JwkSet {
  keys: { kid: string; kty: string; crv: string; x: string; alg: string; use: string }[]
}

/** Flips one base64url character of the JWS part `index` (0 header, 1 payload, 2 signature). */
function tampered(jws: string, index: number): string {
  const parts = jws.split('.')
  const part = parts[index] ?? ''
  const position = Math.floor(part.length / 2)
  const swapped = part[position] === 'A' ? 'B' : 'A'
  parts[index] = `${part.slice(0, position)}${swapped}${part.slice(position + 1)}`
  return parts.join('.')
}

async function verifiesWithJose(jws: string, keys: JwkSet): Promise<unknown> {
  try {
    const { payload } = await compactVerify(jws, createLocalJWKSet(keys), { algorithms: ['EdDSA'] })
    return JSON.parse(new TextDecoder().decode(payload))
  } catch {
    return undefined
  }
}

for (const dialect of testDialects) {
  describe(`signed consent receipts [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Signed Ltd')
      await recordController(harness.modules.workspaces, tenant.workspaceId)
    })
    after(async () => harness.close())

    const grant = async (key: string, externalId: string) => {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: bearer(key),
        payload: { externalId, purpose: 'marketing', granted: true },
      })
      assert.equal(response.statusCode, 201, response.body)
      return response.json<{ receiptId: string }>().receiptId
    }
    const receiptOf = (key: string, receiptId: string, accept?: string) =>
      harness.app.inject({
        url: `/v1/consents/receipts/${receiptId}`,
        headers: { ...bearer(key), ...(accept === undefined ? {} : { accept }) },
      })
    const jwksOf = async (workspaceId: string): Promise<JwkSet> => {
      // Public: no credentials at all.
      const response = await harness.app.inject({ url: `/v1/workspaces/${workspaceId}/jwks.json` })
      assert.equal(response.statusCode, 200, response.body)
      assert.match(String(response.headers['content-type']), /application\/jwk-set\+json/)
      return response.json<JwkSet>()
    }

    test('a receipt is valid against the Kantara v1.1 schema, and its JWS verifies with the published key in two independent ways', async () => {
      const receiptId = await grant(tenant.secretKey, 'signed-user-1')
      const json = await receiptOf(tenant.secretKey, receiptId)
      assert.equal(json.statusCode, 200, json.body)
      const receipt = json.json<ConsentReceipt>()
      const kantara = kantaraSchemaValidator()
      assert.ok(kantara(receipt), JSON.stringify(kantara.errors))
      const ours = receiptSchemaValidator()
      assert.ok(ours(receipt), JSON.stringify(ours.errors))
      assert.equal(
        receipt.policyUrl,
        `https://custodian.test/v1/workspaces/${tenant.workspaceId}/privacy-notice.html`,
      )

      const signed = await receiptOf(tenant.secretKey, receiptId, 'application/jose')
      assert.equal(signed.statusCode, 200, signed.body)
      assert.match(String(signed.headers['content-type']), /^application\/jose/)
      const jws = signed.body
      assert.match(jws, /^[\w-]+\.[\w-]+\.[\w-]+$/)
      const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8'))
      assert.equal(header.alg, 'EdDSA')
      assert.equal(
        header.jku,
        `https://custodian.test/v1/workspaces/${tenant.workspaceId}/jwks.json`,
      )

      const keys = await jwksOf(tenant.workspaceId)
      assert.equal(keys.keys.length, 1)
      assert.equal(keys.keys[0]?.kid, header.kid)
      assert.deepEqual(
        await verifiesWithJose(jws, keys),
        receipt,
        'jose: the signed payload is the receipt',
      )
      assert.deepEqual(
        verifyCompactWithNodeCrypto(jws, keys.keys),
        receipt,
        "Node's crypto, by hand",
      )

      for (const part of [0, 1, 2]) {
        const changed = tampered(jws, part)
        assert.notEqual(changed, jws)
        assert.equal(
          await verifiesWithJose(changed, keys),
          undefined,
          `jose refuses a changed part ${part}`,
        )
        assert.equal(
          verifyCompactWithNodeCrypto(changed, keys.keys),
          undefined,
          `crypto refuses part ${part}`,
        )
      }
    })

    test('old receipts stay verifiable after the signing key rotates', async () => {
      const receiptId = await grant(tenant.secretKey, 'signed-user-2')
      const before = (await receiptOf(tenant.secretKey, receiptId, 'application/jose')).body
      const rotated = await rotateSigningKey(harness.modules.signing, {
        workspaceId: tenant.workspaceId,
        actor: { actorType: 'system', actorId: null },
      })
      assert.notEqual(rotated.retiredKid, null)
      const after = (await receiptOf(tenant.secretKey, receiptId, 'application/jose')).body
      const keys = await jwksOf(tenant.workspaceId)
      assert.deepEqual(
        keys.keys.map((key) => key.kid),
        [rotated.retiredKid, rotated.kid],
      )
      const kidOf = (jws: string): unknown =>
        (
          JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
            kid: unknown
          }
        ).kid
      assert.equal(kidOf(before), rotated.retiredKid)
      assert.equal(kidOf(after), rotated.kid)
      for (const jws of [before, after]) {
        assert.ok(await verifiesWithJose(jws, keys))
        assert.ok(verifyCompactWithNodeCrypto(jws, keys.keys))
      }
    })

    test("a workspace's key never verifies another's receipt; an unknown workspace has no key set", async () => {
      const other = await createTenant(harness, 'Other Signed Ltd')
      await recordController(harness.modules.workspaces, other.workspaceId)
      const receiptId = await grant(other.secretKey, 'other-user')
      const jws = (await receiptOf(other.secretKey, receiptId, 'application/jose')).body
      const mine = await jwksOf(tenant.workspaceId)
      assert.equal(await verifiesWithJose(jws, mine), undefined)
      assert.equal(verifyCompactWithNodeCrypto(jws, mine.keys), undefined)
      const unknown = await harness.app.inject({
        url: '/v1/workspaces/019b0000-0000-7000-8000-00000000dead/jwks.json',
      })
      assert.equal(unknown.statusCode, 404)
    })

    test('a workspace that has not recorded its controller gets 409, not a receipt without its contact details', async () => {
      const bare = await createTenant(harness, 'Bare Ltd')
      const receiptId = await grant(bare.secretKey, 'bare-user')
      for (const accept of [undefined, 'application/jose']) {
        const response = await receiptOf(bare.secretKey, receiptId, accept)
        assert.equal(response.statusCode, 409, response.body)
        assert.match(response.json().detail, /PATCH \/v1\/workspace/)
      }
    })
  })
}
