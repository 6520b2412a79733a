import type { AuditActionCatalogue } from '../audit/index.js'

/** What the signing module writes to the audit log: a workspace's signing keys. */
export const signingAuditActions = {
  'signing_key.created': {
    when: 'A workspace’s first signing key was made, at its first signature',
    details: [],
  },
  'signing_key.rotated': {
    when: 'A workspace’s signing key was retired and a new one made (`custodian signing-key rotate`)',
    details: ['retired'],
  },
} as const satisfies AuditActionCatalogue
