import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { adequacyDecisionAt } from './adequacy.js'
import type { SubprocessorFields } from './subprocessors.schemas.js'
import { decideTransfer, type TransferQuestion } from './transfer-guard.logic.js'

const at = new Date('2026-06-01T12:00:00Z')

const inIreland: SubprocessorFields = {
  name: 'Relay Ltd',
  service: 'Mail relay',
  purposes: ['Mail'],
  dataCategories: ['identifiers', 'contact-profile'],
  country: 'IE',
  region: 'Dublin',
  endpoints: ['smtp.relay.example'],
  dpa: { signedOn: '2026-01-10', reference: 'DPA-2026-01' },
  transferMechanism: { type: 'none' },
  transferImpactAssessment: null,
  supplementaryMeasures: [],
  status: 'active',
}

function ask(recipient: SubprocessorFields | undefined, overrides: Partial<TransferQuestion> = {}) {
  return decideTransfer({
    recipient,
    kind: 'enrichment',
    categories: ['identifiers'],
    at,
    instanceRegion: 'eu',
    ...overrides,
  })
}

describe('the transfer rule table', () => {
  test('refuses an unregistered, retired or agreement-less recipient', () => {
    assert.deepEqual(ask(undefined), { allowed: false, reason: 'unregistered' })
    assert.deepEqual(ask({ ...inIreland, status: 'retired' }), {
      allowed: false,
      reason: 'retired',
    })
    assert.deepEqual(ask({ ...inIreland, dpa: null }), { allowed: false, reason: 'no_dpa' })
  })

  test('refuses a category the recipient is not registered for', () => {
    assert.deepEqual(ask(inIreland, { categories: ['identifiers', 'browsing'] }), {
      allowed: false,
      reason: 'categories_not_covered',
    })
  })

  test('allows a recipient in the EEA with a DPA, with no Chapter V mechanism', () => {
    assert.deepEqual(ask(inIreland), { allowed: true, ground: 'eea' })
  })

  test('refuses a third country without a mechanism, or with clauses but no supplementary measure', () => {
    const inUs: SubprocessorFields = { ...inIreland, country: 'US' }
    assert.deepEqual(ask(inUs), { allowed: false, reason: 'no_transfer_mechanism' })
    const sccOnly: SubprocessorFields = {
      ...inUs,
      transferMechanism: { type: 'scc', module: 3, signedOn: '2026-01-10' },
    }
    assert.deepEqual(ask(sccOnly), { allowed: false, reason: 'no_supplementary_measure' })
    const bcrOnly: SubprocessorFields = {
      ...inUs,
      transferMechanism: { type: 'bcr', reference: 'BCR-P 2024' },
    }
    assert.deepEqual(ask(bcrOnly), { allowed: false, reason: 'no_supplementary_measure' })
  })

  test('allows clauses with a supplementary measure such as encryption whose keys stay in the EU', () => {
    const encrypted: SubprocessorFields = {
      ...inIreland,
      country: 'US',
      transferMechanism: { type: 'scc', module: 2, signedOn: '2026-01-10' },
      supplementaryMeasures: ['Encrypted before transfer; the keys stay in the EU'],
    }
    assert.deepEqual(ask(encrypted), { allowed: true, ground: 'scc' })
  })

  test('allows an adequacy country, refuses a country without a decision', () => {
    const swiss: SubprocessorFields = {
      ...inIreland,
      country: 'CH',
      transferMechanism: { type: 'adequacy', withinScope: false },
    }
    const allowed = ask(swiss)
    assert.ok(allowed.allowed)
    assert.match(allowed.decision ?? '', /2000\/518\/EC/)
    const indian: SubprocessorFields = { ...swiss, country: 'IN' }
    assert.deepEqual(ask(indian), { allowed: false, reason: 'no_adequacy_decision' })
  })

  test('a partial decision needs the recipient recorded as within its scope', () => {
    const american: SubprocessorFields = {
      ...inIreland,
      country: 'US',
      transferMechanism: { type: 'adequacy', withinScope: false },
    }
    assert.deepEqual(ask(american), { allowed: false, reason: 'adequacy_scope_unconfirmed' })
    const certified: SubprocessorFields = {
      ...american,
      transferMechanism: { type: 'adequacy', withinScope: true },
    }
    const decision = ask(certified)
    assert.ok(decision.allowed && /2023\/1795/.test(decision.decision ?? ''))
  })

  test('a decision counts only on the days it is in force (Privacy Shield after Schrems II)', () => {
    const certified: SubprocessorFields = {
      ...inIreland,
      country: 'US',
      transferMechanism: { type: 'adequacy', withinScope: true },
    }
    assert.match(adequacyDecisionAt('US', new Date('2019-01-01'))?.reference ?? '', /2016\/1250/)
    assert.equal(adequacyDecisionAt('US', new Date('2020-07-16')), undefined)
    assert.deepEqual(ask(certified, { at: new Date('2021-03-01T00:00:00Z') }), {
      allowed: false,
      reason: 'no_adequacy_decision',
    })
    assert.equal(adequacyDecisionAt('BR', new Date('2026-01-25')), undefined)
    assert.match(adequacyDecisionAt('BR', new Date('2026-01-26'))?.reference ?? '', /Brazil|LGPD/)
  })

  test('storage and backups must stay in the instance region, even in an adequate country', () => {
    const swissBucket: SubprocessorFields = {
      ...inIreland,
      country: 'CH',
      transferMechanism: { type: 'adequacy', withinScope: false },
    }
    for (const kind of ['backup', 'storage'] as const) {
      assert.deepEqual(ask(swissBucket, { kind }), { allowed: false, reason: 'outside_region' })
      assert.deepEqual(ask(inIreland, { kind }), { allowed: true, ground: 'eea' })
      assert.deepEqual(ask(inIreland, { kind, instanceRegion: 'mars' }), {
        allowed: false,
        reason: 'outside_region',
      })
    }
    assert.equal(ask(swissBucket, { kind: 'webhook' }).allowed, true)
  })
})
