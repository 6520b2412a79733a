/**
 * Drafts of the two notices a breach may need, in the workspace's language: to the
 * supervisory authority, with the contents Art. 33(3) lists, and to the people affected,
 * in clear and plain language (Art. 34(2), 12(1)). Drafts: an operator reads, completes
 * and sends them; nothing here is sent. Pure, no I/O.
 */

export const draftLanguages = ['en', 'de'] as const
export type DraftLanguage = (typeof draftLanguages)[number]

export interface DraftFacts {
  readonly controllerName: string
  /** The DPO or other contact point (Art. 33(3)(b)); null when none is recorded. */
  readonly contactPoint: string | null
  readonly discoveredAt: string
  readonly awareAt: string
  readonly authorityDeadline: string
  readonly nature: readonly string[]
  readonly description: string | null
  readonly categories: readonly string[]
  readonly approxSubjects: number | null
  readonly approxRecords: number | null
  readonly consequences: string | null
  readonly measuresTaken: string | null
  readonly measuresProposed: string | null
  /** Set when the notice goes after 72 hours: Art. 33(1) wants the reasons for the delay. */
  readonly late: boolean
}

export interface Drafts {
  readonly language: DraftLanguage
  readonly authorityNotice: string
  readonly subjectMessage: string
}

interface Words {
  unknown: string
  none: string
  natureNames: Record<string, string>
  authority: (facts: DraftFacts, list: (items: readonly string[]) => string) => string[]
  subjects: (facts: DraftFacts, list: (items: readonly string[]) => string) => string[]
}

const count = (value: number | null, unknown: string) =>
  value === null ? unknown : `approximately ${String(value)}`

const english: Words = {
  unknown: 'not yet known',
  none: 'none recorded yet',
  natureNames: {
    confidentiality: 'confidentiality breach (unauthorised disclosure or access)',
    integrity: 'integrity breach (unauthorised alteration)',
    availability: 'availability breach (loss of access or destruction)',
  },
  authority: (f, list) => [
    `Notification of a personal data breach (Art. 33 GDPR) by ${f.controllerName}`,
    '',
    `Discovered: ${f.discoveredAt}. Controller aware since: ${f.awareAt}. Notification due by: ${f.authorityDeadline}.`,
    ...(f.late ? ['Reasons for notifying after 72 hours (Art. 33(1)): [to be completed]'] : []),
    '',
    `(a) Nature of the breach: ${list(f.nature.map((n) => english.natureNames[n] ?? n))}.`,
    ...(f.description === null ? [] : [`    ${f.description}`]),
    `    Categories of personal data concerned: ${list(f.categories)}.`,
    `    Data subjects concerned: ${count(f.approxSubjects, english.unknown)}.`,
    `    Personal data records concerned: ${count(f.approxRecords, english.unknown)}.`,
    `(b) Data protection officer or other contact point: ${f.contactPoint ?? '[to be completed]'}.`,
    `(c) Likely consequences: ${f.consequences ?? '[to be completed]'}.`,
    `(d) Measures taken: ${f.measuresTaken ?? english.none}.`,
    `    Measures proposed, including to mitigate possible adverse effects: ${f.measuresProposed ?? english.none}.`,
    '',
    'Where not all information is available yet, it will be provided in phases without undue further delay (Art. 33(4)).',
  ],
  subjects: (f, list) => [
    `Important information about your personal data held by ${f.controllerName}`,
    '',
    `On ${f.discoveredAt.slice(0, 10)} we discovered a security incident that concerns your personal data: ${list(f.nature.map((n) => english.natureNames[n] ?? n))}.`,
    `The data concerned: ${list(f.categories)}.`,
    `What this may mean for you: ${f.consequences ?? '[to be completed]'}.`,
    `What we have done: ${f.measuresTaken ?? '[to be completed]'}.`,
    `What we will do next, and what you can do: ${f.measuresProposed ?? '[to be completed]'}.`,
    '',
    `If you have questions, contact ${f.contactPoint ?? '[contact point to be completed]'}.`,
  ],
}

const germanCount = (value: number | null, unknown: string) =>
  value === null ? unknown : `etwa ${String(value)}`

const german: Words = {
  unknown: 'noch nicht bekannt',
  none: 'noch keine erfasst',
  natureNames: {
    confidentiality:
      'Verletzung der Vertraulichkeit (unbefugte Offenlegung oder unbefugter Zugang)',
    integrity: 'Verletzung der Integrität (unbefugte Veränderung)',
    availability: 'Verletzung der Verfügbarkeit (Verlust des Zugangs oder Vernichtung)',
  },
  authority: (f, list) => [
    `Meldung einer Verletzung des Schutzes personenbezogener Daten (Art. 33 DSGVO) durch ${f.controllerName}`,
    '',
    `Entdeckt: ${f.discoveredAt}. Dem Verantwortlichen bekannt seit: ${f.awareAt}. Meldung fällig bis: ${f.authorityDeadline}.`,
    ...(f.late
      ? ['Gründe für die Meldung nach mehr als 72 Stunden (Art. 33 Abs. 1): [zu ergänzen]']
      : []),
    '',
    `a) Art der Verletzung: ${list(f.nature.map((n) => german.natureNames[n] ?? n))}.`,
    ...(f.description === null ? [] : [`   ${f.description}`]),
    `   Kategorien betroffener personenbezogener Daten: ${list(f.categories)}.`,
    `   Betroffene Personen: ${germanCount(f.approxSubjects, german.unknown)}.`,
    `   Betroffene Datensätze: ${germanCount(f.approxRecords, german.unknown)}.`,
    `b) Datenschutzbeauftragter oder sonstige Anlaufstelle: ${f.contactPoint ?? '[zu ergänzen]'}.`,
    `c) Wahrscheinliche Folgen: ${f.consequences ?? '[zu ergänzen]'}.`,
    `d) Ergriffene Maßnahmen: ${f.measuresTaken ?? german.none}.`,
    `   Vorgeschlagene Maßnahmen, auch zur Abmilderung möglicher nachteiliger Auswirkungen: ${f.measuresProposed ?? german.none}.`,
    '',
    'Soweit noch nicht alle Informationen vorliegen, werden sie ohne unangemessene weitere Verzögerung schrittweise nachgereicht (Art. 33 Abs. 4).',
  ],
  subjects: (f, list) => [
    `Wichtige Information zu Ihren personenbezogenen Daten bei ${f.controllerName}`,
    '',
    `Am ${f.discoveredAt.slice(0, 10)} haben wir einen Sicherheitsvorfall entdeckt, der Ihre personenbezogenen Daten betrifft: ${list(f.nature.map((n) => german.natureNames[n] ?? n))}.`,
    `Betroffene Daten: ${list(f.categories)}.`,
    `Mögliche Folgen für Sie: ${f.consequences ?? '[zu ergänzen]'}.`,
    `Was wir getan haben: ${f.measuresTaken ?? '[zu ergänzen]'}.`,
    `Was wir als Nächstes tun und was Sie tun können: ${f.measuresProposed ?? '[zu ergänzen]'}.`,
    '',
    `Bei Fragen wenden Sie sich an ${f.contactPoint ?? '[Anlaufstelle zu ergänzen]'}.`,
  ],
}

const words: Record<DraftLanguage, Words> = { en: english, de: german }

export function draftNotices(facts: DraftFacts, language: DraftLanguage): Drafts {
  const chosen = words[language]
  const list = (items: readonly string[]) =>
    items.length === 0 ? chosen.unknown : items.join(', ')
  return {
    language,
    authorityNotice: chosen.authority(facts, list).join('\n'),
    subjectMessage: chosen.subjects(facts, list).join('\n'),
  }
}
