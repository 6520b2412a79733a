/**
 * The governance pages' pieces (lists, the page frame) on the one safe-HTML template of
 * src/http, so a value a workspace typed can never become markup.
 */
import { html, type SafeHtml } from '../../http/index.js'

export { html, SafeHtml } from '../../http/index.js'

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
