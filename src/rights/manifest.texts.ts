import type { LawfulBasis } from '../consent/index.js'
import type { DataCategory } from '../personal-data/index.js'

/**
 * The plain-language words of an access manifest (Art. 12(1): concise, intelligible,
 * clear and plain language). Keyed by the registry's and the consent module's own
 * vocabularies, so a new data category or lawful basis fails the type check until it is
 * described here.
 */

export const notRecordedMeans =
  'Custodian does not hold this information for this workspace yet. It does not mean ' +
  'there is none: the business (the controller) must tell you on request (GDPR Art. 15(1)).'

export const categoryDescriptions: Readonly<Record<DataCategory, string>> = Object.freeze({
  identifiers:
    'Identifiers: your email address, the id the business gave you, and the random id ' +
    'your browser was given.',
  'contact-profile':
    'Your profile: name, email, the details the business keeps about you, and what was ' +
    'added to it from other sources.',
  browsing:
    'Browsing activity: the pages you visited, where you came from, page titles, and the ' +
    'actions recorded on the site.',
  device: 'Device: your browser, operating system, type of device and screen size.',
  location: 'Approximate location: the country and city worked out from your IP address.',
  'ip-address': 'IP address: the network address your device used.',
  'consent-proof':
    'Your choices: what you agreed to or refused, the notice you were shown, and the ' +
    'evidence of each choice.',
  'operator-account': "Staff account: a staff member's name, email address and picture.",
  authentication:
    'Sign-in data: password hash, second factor, sessions and sign-in attempts of a staff ' +
    'account.',
  'access-log': 'Access log: when your data was read or changed, and by whom.',
  conversations:
    'Conversations: the messages and files you exchanged with the business, and which ' +
    'kinds of sensitive data were found in them.',
})

export const lawfulBasisMeanings: Readonly<
  Record<LawfulBasis, { article: string; meaning: string }>
> = Object.freeze({
  consent: { article: 'Art. 6(1)(a)', meaning: 'your consent' },
  contract: {
    article: 'Art. 6(1)(b)',
    meaning: 'a contract with you, or steps you asked for before one',
  },
  'legal-obligation': { article: 'Art. 6(1)(c)', meaning: 'a legal obligation of the business' },
  'vital-interests': {
    article: 'Art. 6(1)(d)',
    meaning: "protecting your or another person's vital interests",
  },
  'public-task': { article: 'Art. 6(1)(e)', meaning: 'a task carried out in the public interest' },
  'legitimate-interests': {
    article: 'Art. 6(1)(f)',
    meaning: 'the legitimate interests of the business',
  },
})

export const rightNames = [
  'access',
  'rectification',
  'erasure',
  'restriction',
  'portability',
  'objection',
  'automated-decisions',
  'withdraw-consent',
] as const
export type RightName = (typeof rightNames)[number]

export const rightDescriptions: Readonly<
  Record<RightName, { title: string; article: string; description: string }>
> = Object.freeze({
  access: {
    title: 'Access',
    article: 'Art. 15',
    description: 'You may ask for a copy of your personal data and for this information.',
  },
  rectification: {
    title: 'Rectification',
    article: 'Art. 16',
    description: 'You may have inaccurate data about you corrected and incomplete data completed.',
  },
  erasure: {
    title: 'Erasure',
    article: 'Art. 17',
    description:
      'You may have your data erased, unless the law requires the business to keep it or it ' +
      'is needed for legal claims (Art. 17(3)).',
  },
  restriction: {
    title: 'Restriction',
    article: 'Art. 18',
    description:
      'You may have the use of your data restricted to storing it, for example while its ' +
      'accuracy or an objection is being checked.',
  },
  portability: {
    title: 'Portability',
    article: 'Art. 20',
    description:
      'You may receive the data you provided in a machine-readable format and have it sent ' +
      'to another business, for processing based on your consent or a contract.',
  },
  objection: {
    title: 'Objection',
    article: 'Art. 21',
    description:
      'You may object to processing based on legitimate interests or a public task, on ' +
      'grounds relating to your situation; and to direct marketing at any time, without ' +
      'reasons, after which it stops.',
  },
  'automated-decisions': {
    title: 'No automated decisions',
    article: 'Art. 22',
    description:
      'You may refuse decisions based solely on automated processing, including profiling, ' +
      'that have legal or similarly significant effects on you.',
  },
  'withdraw-consent': {
    title: 'Withdrawing consent',
    article: 'Art. 7(3)',
    description:
      'You may withdraw your consent at any time, as easily as you gave it. Processing ' +
      'before the withdrawal stays lawful.',
  },
})

export const complaintDescription =
  'You may lodge a complaint with a supervisory authority, in particular in the member ' +
  'state where you live, where you work, or where the infringement took place.'
