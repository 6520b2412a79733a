/**
 * Safe HTML for every page Custodian builds (the access archive's index, the records of
 * processing, the privacy notice): one tagged template that escapes whatever it is given
 * unless it is already `SafeHtml`, so a value a person or a workspace typed (a name, a
 * description) can never become markup; forgetting to escape takes an explicit wrapper,
 * never an omission.
 */
export class SafeHtml {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text
  }
}

export type HtmlValue = string | number | SafeHtml | readonly SafeHtml[]

const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] ?? character)
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let text = strings[0] ?? ''
  values.forEach((value, index) => {
    text += htmlOf(value) + (strings[index + 1] ?? '')
  })
  return new SafeHtml(text)
}

function htmlOf(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.text
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return escapeHtml(value)
  return value.map((item) => item.text).join('')
}
