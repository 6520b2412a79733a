import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  bearer,
  createTenant,
  signUpOperator,
  type TenantFixture,
} from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { registerSubprocessor } from './subprocessors.service.js'
import type { SubprocessorView } from './subprocessors.service.js'

const american = {
  name: 'Enrich Inc.',
  service: 'Company data for CRM profiles',
  purposes: ['Profile enrichment'],
  dataCategories: ['contact-profile'],
  country: 'US',
  region: 'us-east-1',
  dpa: { signedOn: '2026-01-15', reference: 'https://docs.example/dpa-enrich.pdf' },
  transferMechanism: { type: 'scc', module: 2, signedOn: '2026-01-15' },
  transferImpactAssessment: 'TIA 2026-01: US surveillance law; mitigated by encryption',
}

for (const dialect of testDialects) {
  describe(
    `the sub-processor registry over the API [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let tenant: TenantFixture

      before(async () => {
        harness = await buildTestApp({ dialect })
        tenant = await createTenant(harness, 'Registry Ltd')
      })
      after(async () => harness.close())

      const list = async (key = tenant.secretKey) => {
        const response = await harness.app.inject({
          url: '/v1/subprocessors',
          headers: bearer(key),
        })
        assert.equal(response.statusCode, 200, response.body)
        return response.json<{ data: SubprocessorView[] }>().data
      }

      test("a new workspace sees the seeds' examples as editable defaults, refused until a DPA is recorded", async () => {
        const seeded = await list()
        assert.deepEqual(
          seeded.map((entry) => [entry.country, entry.seeded, entry.scope]),
          [
            ['IE', true, 'workspace'],
            ['IE', true, 'workspace'],
          ],
        )
        assert.ok(seeded.some((entry) => /Azure/.test(entry.name)))
        assert.ok(seeded.some((entry) => entry.dataCategories.includes('payment-details')))
        for (const entry of seeded) {
          assert.deepEqual(entry.transferCheck.refusal, 'no_dpa')
        }
        assert.equal((await list()).length, 2, 'seeded once')
        const host = seeded[0]
        assert.ok(host)
        const patched = await harness.app.inject({
          method: 'PATCH',
          url: `/v1/subprocessors/${host.id}`,
          headers: bearer(tenant.secretKey),
          payload: { dpa: { signedOn: '2026-02-01', reference: 'MS-DPA-2026' } },
        })
        assert.equal(patched.statusCode, 200, patched.body)
        assert.equal(patched.json().transferCheck.allowed, true)
        assert.equal(patched.json().name, host.name, 'fields not named stay')
        assert.equal((await list()).length, 2, 'an edited default is never seeded again')
      })

      test('registers a third-country sub-processor and shows why the guard refuses it until measures exist', async () => {
        const created = await harness.app.inject({
          method: 'POST',
          url: '/v1/subprocessors',
          headers: bearer(tenant.secretKey),
          payload: american,
        })
        assert.equal(created.statusCode, 201, created.body)
        const entry = created.json<SubprocessorView>()
        assert.equal(entry.scope, 'workspace')
        assert.equal(entry.transferCheck.refusal, 'no_supplementary_measure')
        const measured = await harness.app.inject({
          method: 'PATCH',
          url: `/v1/subprocessors/${entry.id}`,
          headers: bearer(tenant.secretKey),
          payload: { supplementaryMeasures: ['Encrypted before transfer, keys stay in the EU'] },
        })
        assert.equal(measured.json().transferCheck.ground, 'scc')
        const one = await harness.app.inject({
          url: `/v1/subprocessors/${entry.id}`,
          headers: bearer(tenant.secretKey),
        })
        assert.equal(one.json().supplementaryMeasures.length, 1)
        const audit = await harness.app.inject({
          url: '/v1/audit?action=subprocessor.changed&limit=10',
          headers: bearer(tenant.secretKey),
        })
        assert.ok(
          audit
            .json()
            .data.some(
              (row: { details: { fields: string } }) =>
                row.details.fields === 'supplementaryMeasures',
            ),
        )
      })

      test('refuses a bad entry field by field, and an unknown mechanism', async () => {
        const response = await harness.app.inject({
          method: 'POST',
          url: '/v1/subprocessors',
          headers: bearer(tenant.secretKey),
          payload: { ...american, country: 'usa', transferMechanism: { type: 'scc', module: 5 } },
        })
        assert.equal(response.statusCode, 400, response.body)
        const fields = response.json().errors.map((error: { field: string }) => error.field)
        assert.ok(fields.includes('country'), fields.join())
        assert.ok(fields.includes('transferMechanism.module'), fields.join())
        assert.doesNotMatch(response.body, /usa/)
      })

      test("the instance's own entries are listed to every workspace but changed only by the platform admin", async () => {
        const instanceRelay = await registerSubprocessor(
          harness.modules.transfers,
          { workspaceId: null, actor: { actorType: 'system', actorId: null } },
          {
            ...american,
            name: 'Relay Ltd',
            country: 'IE',
            transferMechanism: { type: 'none' },
            endpoints: ['smtp.relay.example'],
          },
        )
        const other = await createTenant(harness, 'Other Registry Ltd')
        for (const key of [tenant.secretKey, other.secretKey]) {
          const entry = (await list(key)).find((candidate) => candidate.id === instanceRelay.id)
          assert.equal(entry?.scope, 'instance')
        }
        const refused = await harness.app.inject({
          method: 'PATCH',
          url: `/v1/subprocessors/${instanceRelay.id}`,
          headers: bearer(tenant.secretKey),
          payload: { status: 'retired' },
        })
        assert.equal(refused.statusCode, 403, refused.body)
        const ownOfOther = (await list(other.secretKey)).find(
          (entry) => entry.scope === 'workspace',
        )
        assert.ok(ownOfOther)
        const walled = await harness.app.inject({
          url: `/v1/subprocessors/${ownOfOther.id}`,
          headers: bearer(tenant.secretKey),
        })
        assert.equal(walled.statusCode, 404)
      })

      test('an agent reads the registry but may not change it; a DPO may', async () => {
        const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
        const read = await harness.app.inject({
          url: '/v1/subprocessors',
          headers: agent.headers(),
        })
        assert.equal(read.statusCode, 200)
        const write = await harness.app.inject({
          method: 'POST',
          url: '/v1/subprocessors',
          headers: agent.headers(),
          payload: american,
        })
        assert.equal(write.statusCode, 403)
        const dpo = await signUpOperator(harness, tenant.workspaceId, 'dpo', { twoFactor: true })
        const byDpo = await harness.app.inject({
          method: 'POST',
          url: '/v1/subprocessors',
          headers: dpo.headers(),
          payload: { ...american, name: 'Second Inc.' },
        })
        assert.equal(byDpo.statusCode, 201, byDpo.body)
      })
    },
  )
}
