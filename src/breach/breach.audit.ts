import type { AuditActionCatalogue } from '../audit/index.js'

/**
 * What the breach module writes to the audit log: alerts the detection rules raise, the
 * breach register's changes and clock (Art. 33(5)), and every opening of personal data
 * the module does (IPs compared by a rule, affected people revealed to an operator).
 */
export const breachAuditActions = {
  'breach.alert_raised': {
    when: 'A detection rule matched the audit stream and raised an alert (`GET /v1/alerts`)',
    details: ['rule', 'severity', 'delivery', 'incident'],
  },
  'breach.ips_examined': {
    when: 'A detection pass opened the sealed IPs of sign-in entries, in memory, to compare networks',
    details: ['entries', 'fromSeq', 'toSeq'],
  },
  'breach.incident_opened': {
    when: 'An incident entered the breach register, by an operator or from an alert',
    details: ['source', 'rule'],
  },
  'breach.incident_changed': {
    when: 'An incident’s facts, measures, assessment or Art. 33/34 decisions changed',
    details: ['fields'],
  },
  'breach.deadline_warning': {
    when: 'An incident not yet notified reached 48 hours since awareness (24 hours left, Art. 33(1))',
    details: ['hoursLeft'],
  },
  'breach.deadline_passed': {
    when: 'An incident reached 72 hours since awareness without the authority notified (Art. 33(1): reasons for delay needed)',
    details: [],
  },
  'breach.affected_computed': {
    when: 'The affected subjects of an incident were counted from the audit trail, by blind reference',
    details: ['subjects', 'records', 'categories'],
  },
  'breach.affected_revealed': {
    when: 'An operator opened who the affected people are, to tell them (Art. 34)',
    details: ['subjects'],
  },
} as const satisfies AuditActionCatalogue

export type BreachAuditAction = keyof typeof breachAuditActions
