/**
 * Safe HTML for the governance pages (records of processing, the privacy notice): one
 * tagged template that escapes whatever it is given unless it is already `SafeHtml`, so
 * a value a workspace typed (a category's description, a controller's name) can never
 * become markup. The rights module's archive page is built the same way.
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

/** A bulleted list of texts, or the empty text when there are none. */
export function listOf(items: readonly string[]): SafeHtml {
  if (items.length === 0) return html``
  return html`<ul>
    ${items.map((item) => html`<li>${item}</li>`)}
  </ul>`
}

/**
 * A whole page: no scripts (the content security policy forbids them), a plain style
 * sheet inline, the language declared for screen readers and translators.
 */
export function page(input: { title: string; language: string; body: SafeHtml }): string {
  return html`<!doctype html>
    <html lang="${input.language}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          http-equiv="Content-Security-Policy"
          content="default-src 'none'; style-src 'unsafe-inline'"
        />
        <title>${input.title}</title>
        <style>
          body {
            font:
              15px/1.5 system-ui,
              sans-serif;
            margin: 2rem auto;
            max-width: 72rem;
            padding: 0 1rem;
            color: #1b1b1b;
          }
          h1 {
            font-size: 1.6rem;
          }
          h2 {
            font-size: 1.25rem;
            margin-top: 2rem;
            border-bottom: 1px solid #ccc;
          }
          table {
            border-collapse: collapse;
            width: 100%;
            margin: 1rem 0;
            font-size: 13px;
          }
          th,
          td {
            border: 1px solid #bbb;
            padding: 0.4rem 0.5rem;
            text-align: left;
            vertical-align: top;
          }
          th {
            background: #f0f0f0;
          }
          dt {
            font-weight: 600;
          }
          dd {
            margin: 0 0 0.5rem 0;
          }
          ul {
            margin: 0;
            padding-left: 1.2rem;
          }
          .meta {
            color: #555;
            font-size: 13px;
          }
        </style>
      </head>
      <body>
        ${input.body}
      </body>
    </html> `.text
}
