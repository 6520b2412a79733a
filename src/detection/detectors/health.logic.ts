import type { Candidate } from '../detect.logic.js'
import { distanceToWord, wordList } from './context.logic.js'

/**
 * Hints of special-category data about health (Art. 9(1), Recital 35): diagnoses,
 * mental health, medication and treatment, pregnancy, disability. A hint, not a
 * verdict: the words are those people use about themselves in a support chat, in
 * English, German, French and Spanish (with a few in Italian, Dutch, Polish, Swedish
 * and Finnish). Words with an everyday second meaning ("traitement des données",
 * "blind" as in a window blind) are left out. The finding's scheme is the category.
 */
export const healthCategories = [
  'diagnosis',
  'mental_health',
  'medication',
  'treatment',
  'pregnancy',
  'disability',
] as const
export type HealthCategory = (typeof healthCategories)[number]

const stem = '\\p{L}*'

// prettier-ignore
const terms: Readonly<Record<HealthCategory, readonly string[]>> = {
  diagnosis: [
    // English
    `diabet${stem}`, 'cancer', 'tumou?rs?', `leuka?emia`, `epilep${stem}`, 'asthma',
    'hiv', 'hepatitis', 'multiple sclerosis', "parkinson'?s", "alzheimer'?s", 'dementia',
    'arthritis', "crohn'?s", 'coeliac', 'celiac', 'tuberculosis', 'migraines?',
    'heart attack', 'diagnosed', 'diagnosis', 'chronic illness', 'autism', 'autistic',
    'adhd', 'covid', 'long covid', 'cystic fibrosis', 'lupus', 'endometriosis',
    // German
    'diabetes', `diabetiker${stem}`, 'krebs', `krebserkrank${stem}`, 'tumor', 'epilepsie',
    'demenz', 'herzinfarkt', 'schlaganfall', 'diagnose', 'diagnostiziert', 'multiple sklerose',
    'rheuma', 'chronisch krank', 'autismus', 'zöliakie',
    // French
    'diabète', `diabétique${stem}`, 'tumeur', 'épilepsie', 'asthme', 'sclérose en plaques',
    'diagnostic', `diagnostiqué${stem}`, 'infarctus', 'avc', 'vih', 'maladie chronique',
    // Spanish
    'diabetes', `diabétic${stem}`, 'cáncer', 'epilepsia', 'asma', 'esclerosis múltiple',
    'diagnóstico', `diagnosticad${stem}`, 'infarto', 'vih', 'enfermedad crónica',
    // Italian, Dutch, Polish, Swedish, Finnish
    'diabete', 'tumore', 'suikerziekte', 'kanker', 'cukrzyca', 'cukrzycę', 'nowotwór',
    'diabetiker', 'cancer', 'diabetes', 'syöpä', 'syöpää',
  ],
  mental_health: [
    `depression${stem}`, 'depressed', 'anxiety disorder', 'panic attacks?', 'bipolar',
    `schizophren${stem}`, 'ptsd', 'eating disorder', 'anorexia', 'bulimia', 'suicidal',
    'burn-?out', 'mental health',
    `depressiv${stem}`, `angststörung${stem}`, 'panikattacken?', 'essstörung', 'psychotherapie',
    'dépression', `dépressi[fv]${stem}`, "trouble anxieux", "crises? d'angoisse", 'anorexie',
    'depresión', 'deprimid[oa]', 'trastorno de ansiedad', 'ataques? de pánico', 'anorexia',
    'depressione', 'depressie', 'depresja', 'depression', 'masennus',
  ],
  medication: [
    'insulin', `antidepressants?`, 'prescription', 'prescribed', 'medication', 'medications',
    'metformin', 'sertraline', 'methadone', 'inhaler', 'antibiotics',
    `medikament${stem}`, 'insulin', 'antidepressiva', 'rezept', 'tabletten',
    `médicament${stem}`, 'insuline', 'antidépresseurs?', 'ordonnance',
    `medicamento${stem}`, 'medicación', 'insulina', 'antidepresivos?', 'receta médica',
    'farmaci', 'medicijnen', 'leki', 'lääkkeet', 'mediciner',
  ],
  treatment: [
    'chemotherapy', 'chemo', 'dialysis', 'radiotherapy', 'surgery', 'hospitali[sz]ed',
    'in hospital', 'physiotherapy', 'rehab', 'sick leave', 'on sick leave',
    'chemotherapie', 'dialyse', 'krankenhaus', 'krankgeschrieben', 'krankschreibung',
    'reha', 'physiotherapie',
    'chimiothérapie', 'chimio', 'hôpital', `hospitalisée?s?`, 'arrêt maladie', 'kiné',
    'quimioterapia', 'quimio', 'diálisis', `hospitalizad${stem}`, 'baja médica',
    'chemioterapia', 'ziekenhuis', 'szpital', 'sjukhus', 'sairaala', 'sairaalassa',
  ],
  pregnancy: [
    `pregnan${stem}`, 'expecting a baby', 'miscarriage', 'maternity leave', 'ivf',
    `schwanger${stem}`, 'fehlgeburt', 'mutterschutz', 'elternzeit',
    'enceinte', 'grossesse', 'fausse couche', 'congé maternité',
    'embarazada', 'embarazo', 'aborto espontáneo', 'baja por maternidad',
    'incinta', 'gravidanza', 'zwanger', 'zwangerschap', 'w ciąży', 'ciąża', 'gravid',
    'raskaana', 'raskaus',
  ],
  disability: [
    'disabled', 'disability', 'disabilities', 'wheelchair', 'deaf', 'hearing aid',
    'visually impaired', 'blind person', 'i am blind', "i'm blind",
    'behinderung', `behindert${stem}`, `schwerbehindert${stem}`, 'rollstuhl', 'gehörlos',
    'sehbehindert', 'hörgerät',
    'handicap', `handicapé${stem}`, 'fauteuil roulant', 'malvoyante?', 'sourde?',
    'discapacidad', `discapacitad${stem}`, 'silla de ruedas', 'sord[oa]', 'cieg[oa]',
    'disabilità', 'sedia a rotelle', 'gehandicapt', 'rolstoel', 'niepełnosprawn\\p{L}*',
    'wózek inwalidzki', 'funktionsnedsättning', 'rullstol', 'vammainen', 'pyörätuoli',
  ],
}

const termLists = Object.entries(terms).map(([category, words]) => ({
  category: category as HealthCategory,
  words: wordList(words),
}))

// The person speaks of themself or someone close: the hint is about a person.
// prettier-ignore
const firstPersonWords = wordList([
  'i', "i'm", 'i am', 'i have', "i've", 'my', 'me', 'we', 'our', 'wife', 'husband',
  'son', 'daughter', 'mother', 'father',
  'ich', 'ich bin', 'ich habe', 'mein', 'meine', 'meiner', 'meinem', 'mir', 'mich', 'wir',
  'je', "j'ai", 'je suis', 'mon', 'ma', 'mes', 'moi', 'nous',
  'yo', 'tengo', 'estoy', 'soy', 'mi', 'mis', 'me', 'nosotros',
  'sono', 'ho', 'mia', 'mio', 'ik', 'mijn', 'jestem', 'mam', 'moja', 'jag', 'min', 'mitt',
  'minulla', 'olen',
])

export function detectHealthHints(text: string): Candidate[] {
  const found: Candidate[] = []
  for (const { category, words } of termLists) {
    for (const match of text.matchAll(words.pattern)) {
      const start = match.index
      const end = start + match[0].length
      const personal = distanceToWord(text, start, end, firstPersonWords)
      const confidence = personal !== undefined && personal <= 40 ? 0.8 : 0.6
      found.push({ kind: 'health', scheme: category, start, end, confidence })
    }
  }
  return found
}
