import type { JsonRecord } from '../personal-data/index.js'
import { aboutSections } from './archive.about.logic.js'
import { html, readableTime, type SafeHtml } from './archive.html.logic.js'
import { cellText } from './archive.records.logic.js'
import type { AccessManifest, ArchiveKind } from './manifest.logic.js'

/** One collection as the archive wrote it, and the first records for the page's table. */
export interface CollectionSummary {
  readonly collection: string
  readonly records: number
  readonly columns: readonly string[]
  readonly preview: readonly JsonRecord[]
}

/** One folder of the archive; a source with no collections held nothing for the person. */
export interface SourceSummary {
  readonly source: string
  readonly collections: readonly CollectionSummary[]
}

export interface IndexPageInput {
  readonly kind: ArchiveKind
  readonly manifest: AccessManifest
  readonly sources: readonly SourceSummary[]
}

// No scripts, no external resources: the policy makes a browser refuse both even if
// something slipped through the escaping, and no request leaves when the page opens.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'"

const style = `body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0}
main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
td{white-space:pre-wrap;overflow-wrap:anywhere}thead th{background:#f2f2f2}
.scroll{overflow-x:auto}.note,.where{color:#555;font-size:.9rem}
dt{font-weight:600;margin-top:.5rem}dd{margin-left:1rem}code{font-size:.9em}`

/**
 * `index.html`: the archive for a person to read, self-contained (Art. 12(1): concise,
 * intelligible, easily accessible). What the archive holds, the manifest in plain
 * language, and per collection a table of its first records; all of them are in the
 * collection's JSON and CSV files.
 */
export function renderIndexPage(input: IndexPageInput): string {
  const { manifest } = input
  const title =
    input.kind === 'portability'
      ? `The data you provided to ${manifest.workspace.name}`
      : `Your data held by ${manifest.workspace.name}`
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}" />
        <meta name="referrer" content="no-referrer" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${style}
        </style>
      </head>
      <body>
        <main>
          <h1>${title}</h1>
          ${introOf(input)} ${filesSection(input.sources)} ${aboutSections(manifest)}
          ${recordsSection(input.sources)}
        </main>
      </body>
    </html> `.text
}

function introOf({ kind, manifest }: IndexPageInput): SafeHtml {
  const what =
    kind === 'portability'
      ? html`<p>
          This archive holds the personal data you provided to ${manifest.workspace.name} that it
          processes on your consent or under a contract with you, in machine-readable formats (JSON
          and CSV), so that you can keep it or give it to another service (GDPR Art. 20).
        </p>`
      : html`<p>
          This is a copy of the personal data ${manifest.workspace.name} holds about you, with the
          information the GDPR (Art. 15) entitles you to about how it is used.
        </p>`
  return html`${what}
    <dl>
      <dt>Your request</dt>
      <dd>
        <code>${manifest.request.id}</code>, received ${readableTime(manifest.request.receivedAt)}
      </dd>
      <dt>Made</dt>
      <dd>${readableTime(manifest.generatedAt)}</dd>
    </dl>`
}

function filesSection(sources: readonly SourceSummary[]): SafeHtml {
  const folders = sources.map((source) => {
    const files =
      source.collections.length === 0
        ? html`<li>Nothing is held about you here.</li>`
        : html`${source.collections.map(
            (collection) =>
              html`<li>
                <code>${source.source}/${collection.collection}.json</code> and <code>.csv</code>:
                ${recordsCount(collection.records)}
              </li>`,
          )}`
    return html`<li>
      <code>${source.source}/</code>
      <ul>
        ${files}
      </ul>
    </li>`
  })
  return html`<section id="files">
    <h2>What is in this archive</h2>
    <ul>
      <li><code>index.html</code>: this page.</li>
      <li><code>manifest.json</code>: the information on this page, for programs.</li>
      ${folders}
    </ul>
    <p class="note">
      Each JSON file holds the records exactly. Its CSV twin opens in a spreadsheet; nested values
      are written there as JSON text, and a cell that begins with =, +, -, @, a tab or a carriage
      return starts with an added apostrophe (') so that a spreadsheet shows it as text instead of
      running it as a formula.
    </p>
  </section>`
}

function recordsSection(sources: readonly SourceSummary[]): SafeHtml {
  const parts = sources.map(
    (source) =>
      html`<h3><code>${source.source}</code></h3>
        ${source.collections.length === 0 ? html`<p>Nothing is held about you here.</p>` : html``}
        ${source.collections.map((collection) => collectionTable(source.source, collection))}`,
  )
  return html`<section id="records">
    <h2>Your records</h2>
    ${parts}
  </section>`
}

function collectionTable(source: string, collection: CollectionSummary): SafeHtml {
  const shown = collection.preview.length
  const note =
    shown < collection.records
      ? html`<p class="note">
          The first ${shown} of ${collection.records} records. All of them are in
          <code>${source}/${collection.collection}.json</code> and <code>.csv</code>.
        </p>`
      : html``
  const header = collection.columns.map((column) => html`<th>${column}</th>`)
  const rows = collection.preview.map(
    (record) =>
      html`<tr>
        ${collection.columns.map((column) => html`<td>${cellText(record[column])}</td>`)}
      </tr>`,
  )
  return html`<h4>${collection.collection} (${recordsCount(collection.records)})</h4>
    ${note}
    <div class="scroll">
      <table>
        <thead>
          <tr>
            ${header}
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>`
}

function recordsCount(count: number): string {
  return count === 1 ? '1 record' : `${count} records`
}
