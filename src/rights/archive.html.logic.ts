/**
 * Safe HTML for the archive's page. Every value of an archive is the person's own, but a
 * value may hold anything (a name typed as `<script>`), so the page is built with one
 * tagged template that escapes whatever it is given unless it is already `SafeHtml`:
 * forgetting to escape takes an explicit wrapper, never an omission.
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

/** A template whose interpolations are escaped, except `SafeHtml` and lists of it. */
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

/** A date and time as a person reads it, in UTC; the text as given when it is not one. */
export function readableTime(iso: string): string {
  const time = new Date(iso)
  if (Number.isNaN(time.getTime())) return iso
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
