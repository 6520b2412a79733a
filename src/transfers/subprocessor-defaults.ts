import type { SubprocessorFields } from './subprocessors.schemas.js'

/**
 * The sub-processors the two GDPR statements this product is built from name, seeded
 * into each workspace's registry as editable defaults: a payment processor that holds
 * card numbers so that Custodian never does (the first statement: "the credit card
 * number is stored by Stripe"), and a cloud host in Ireland (the second: "stored and
 * backed up within the EU (Ireland)… Microsoft in Ireland"). Neither comes with a DPA:
 * the guard refuses to send them anything until the workspace records the agreement it
 * signed (Art. 28(3)), which no default can know.
 */
export const subprocessorDefaults: readonly { seedKey: string; fields: SubprocessorFields }[] = [
  {
    seedKey: 'cloud-host-ireland',
    fields: {
      name: 'Microsoft Ireland Operations Limited (Microsoft Azure)',
      service:
        'Cloud hosting of the instance: compute, the database and its backups, in the North Europe region',
      purposes: ['Hosting the service', 'Backups'],
      dataCategories: [
        'identifiers',
        'contact-profile',
        'browsing',
        'device',
        'location',
        'ip-address',
        'consent-proof',
        'operator-account',
        'authentication',
        'access-log',
      ],
      country: 'IE',
      region: 'North Europe (Dublin)',
      endpoints: [],
      dpa: null,
      transferMechanism: { type: 'none' },
      transferImpactAssessment: null,
      supplementaryMeasures: [
        'Personal data is sealed (AES-256-GCM) before it reaches storage, under keys the operator holds; the host sees ciphertext',
        'TLS in transit',
      ],
      status: 'active',
    },
  },
  {
    seedKey: 'payment-processor',
    fields: {
      name: 'Stripe Payments Europe, Limited',
      service:
        "Card payments for the operator's customers: card numbers are held by the payment processor, never by Custodian",
      purposes: ['Billing'],
      dataCategories: ['payment-details'],
      country: 'IE',
      region: 'European Union',
      endpoints: [],
      dpa: null,
      transferMechanism: { type: 'none' },
      transferImpactAssessment:
        "Onward transfers to Stripe, Inc. (US) are covered in the processor's own DPA (EU-U.S. Data Privacy Framework and standard contractual clauses); review them before relying on this entry.",
      supplementaryMeasures: [],
      status: 'active',
    },
  },
]
