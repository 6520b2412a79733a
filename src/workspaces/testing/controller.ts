import type { Controller } from '../controller.js'

/** A complete controller record, as a workspace records it with `PATCH /v1/workspace`. */
export function sampleController(overrides: Partial<Controller> = {}): Controller {
  return {
    legalName: 'Smart Trial ApS',
    address: {
      streetAddress: 'K. Christensens Vej 2 L',
      locality: 'Aalborg',
      postalCode: '9200',
      country: 'DK',
    },
    email: 'privacy@smart-trial.example',
    phone: '+45 70 20 30 40',
    dpo: { name: 'Dana Protection', email: 'dpo@smart-trial.example' },
    supervisoryAuthority: {
      name: 'Datatilsynet',
      country: 'DK',
      url: 'https://www.datatilsynet.dk',
    },
    ...overrides,
  }
}
