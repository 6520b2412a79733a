import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadCustodianDpia } from './custodian-dpia.js'
import { aYearFrom, isOverdue, levelOf, needsPriorConsultation, scored } from './dpia.logic.js'

describe('DPIA rules', () => {
  test('a score is likelihood × severity, in four levels', () => {
    const risk = scored({
      id: 'r',
      description: 'x',
      likelihood: 3,
      severity: 4,
      measures: ['m'],
      residualLikelihood: 1,
      residualSeverity: 3,
    })
    assert.equal(risk.score, 12)
    assert.equal(risk.level, 'very high')
    assert.equal(risk.residualScore, 3)
    assert.equal(risk.residualLevel, 'low')
    assert.deepEqual([1, 3, 4, 6, 8, 9, 12, 16].map(levelOf), [
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'very high',
      'very high',
    ])
  })

  test('a review is overdue from the day after its due date; a year on keeps the day', () => {
    const now = new Date('2027-03-02T08:00:00Z')
    assert.equal(isOverdue('2027-03-02', now), false)
    assert.equal(isOverdue('2027-03-01', now), true)
    assert.equal(aYearFrom(new Date('2026-03-01T23:00:00Z')), '2027-03-01')
    assert.equal(aYearFrom(new Date('2028-02-29T12:00:00Z')), '2029-02-28')
  })

  test("the instance's own DPIA is filled in from its design, and leaves no high residual risk", () => {
    const dpia = loadCustodianDpia()
    assert.match(dpia.processing, /consent ledger/)
    assert.ok(dpia.risks.length >= 8)
    for (const risk of dpia.risks) {
      assert.ok(risk.measures.length > 0, risk.id)
      assert.ok(
        risk.residualLikelihood * risk.residualSeverity <= risk.likelihood * risk.severity,
        `${risk.id}: measures do not raise the risk`,
      )
    }
    assert.equal(needsPriorConsultation(dpia.risks), false, 'no prior consultation (Art. 36)')
  })
})
