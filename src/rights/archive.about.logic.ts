import { html, type SafeHtml } from './archive.html.logic.js'
import type { AccessManifest, NotRecorded } from './manifest.logic.js'

/**
 * The manifest in plain language (Art. 12(1)), as the sections of the archive's page:
 * why the data is processed, what kinds, how long, who receives it, where it came from,
 * automated decisions, transfers, and the person's rights. The manifest says
 * `not recorded` where Custodian holds nothing yet; the page says so too, and what that
 * means, rather than leaving a blank a reader could take for "none".
 */
export function aboutSections(manifest: AccessManifest): SafeHtml {
  return html`<section id="about">
      <h2>How your data is used</h2>
      ${purposesSection(manifest)} ${categoriesSection(manifest)} ${unrecordedSection(manifest)}
      ${automatedDecisionsSection(manifest)}
    </section>
    ${rightsSection(manifest)}`
}

function purposesSection(manifest: AccessManifest): SafeHtml {
  if (manifest.purposes.length === 0) {
    return html`<h3>Why</h3>
      <p>The business has no purposes on record.</p>`
  }
  const rows = manifest.purposes.map(
    (purpose) =>
      html`<tr>
        <th scope="row">${purpose.name}</th>
        <td>${purpose.description}</td>
        <td>${purpose.lawfulBasisMeaning} (${purpose.lawfulBasisArticle} GDPR)</td>
        <td>${purpose.dataCategories.join(', ')}</td>
      </tr>`,
  )
  return html`<h3>Why (the purposes, Art. 15(1)(a))</h3>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Purpose</th>
            <th>What it is for</th>
            <th>On what legal basis</th>
            <th>Data it uses</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>`
}

function categoriesSection(manifest: AccessManifest): SafeHtml {
  const scope =
    manifest.categoriesScope === 'sources-holding-your-data'
      ? 'The kinds of data held about you'
      : 'The kinds of data this business holds about people'
  if (manifest.categories.length === 0) {
    return html`<h3>What and for how long (Art. 15(1)(b), (d))</h3>
      <p>${scope}: none.</p>`
  }
  const rows = manifest.categories.map((category) => {
    const kept = category.retention.map(
      (item) =>
        html`<li>${item.retention} <span class="where">(${item.source}, ${item.table})</span></li>`,
    )
    return html`<tr>
      <td>${category.description}</td>
      <td>
        <ul>
          ${kept}
        </ul>
      </td>
    </tr>`
  })
  return html`<h3>What and for how long (Art. 15(1)(b), (d))</h3>
    <p>${scope}, and how long each is kept.</p>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Kind of data</th>
            <th>How long it is kept</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>`
}

function unrecordedSection(manifest: AccessManifest): SafeHtml {
  const item = (label: string, value: NotRecorded) =>
    html`<dt>${label}</dt>
      <dd>${sentenceOf(value)}</dd>`
  return html`<h3>Who, from where, and where to</h3>
    <dl>
      ${item('Who is responsible (the controller) and how to reach them', manifest.controller.identity)}
      ${item('Data protection officer', manifest.controller.dataProtectionOfficer)}
      ${item('Who receives your data (Art. 15(1)(c))', manifest.recipients)}
      ${item('Where data not collected from you came from (Art. 15(1)(g))', manifest.sourceOfData)}
      ${item('Transfers outside the EU and their safeguards (Art. 15(2), 46)', manifest.transfers.safeguards)}
    </dl>
    <p class="note">“Not recorded”: ${manifest.notRecordedMeans}</p>`
}

function automatedDecisionsSection(manifest: AccessManifest): SafeHtml {
  const { automatedDecisionMaking: automated } = manifest
  if (!automated.exists) {
    return html`<h3>Automated decisions and profiling (Art. 15(1)(h))</h3>
      <p>None of the business's purposes evaluates you automatically.</p>`
  }
  const items = automated.purposes.map(
    (purpose) =>
      html`<li>
        <strong>${purpose.purpose}</strong>: ${purpose.description} Data it uses:
        ${purpose.dataCategories.join(', ')}. How its logic works, and what it means for you: not
        recorded.
      </li>`,
  )
  return html`<h3>Automated decisions and profiling (Art. 15(1)(h))</h3>
    <p>These purposes evaluate you automatically, as the business describes them:</p>
    <ul>
      ${items}
    </ul>`
}

function rightsSection(manifest: AccessManifest): SafeHtml {
  const items = manifest.rights.map((right) => {
    const applies =
      right.appliesToPurposes === undefined
        ? html``
        : html` <span class="where"
            >Purposes it applies to:
            ${
              right.appliesToPurposes.length === 0 ? 'none' : right.appliesToPurposes.join(', ')
            }.</span
          >`
    return html`<li>
      <strong>${right.title}</strong> (${right.article}): ${right.description}${applies}
    </li>`
  })
  const authority = `The supervisory authority of the business: ${manifest.complaint.supervisoryAuthority}.`
  return html`<section id="rights">
    <h2>Your rights</h2>
    <ul>
      ${items}
    </ul>
    <p>
      <strong>Complaint</strong> (${manifest.complaint.article}): ${manifest.complaint.description}
      ${authority}
    </p>
  </section>`
}

/** `not recorded` as a sentence: "Not recorded." */
function sentenceOf(value: NotRecorded): string {
  return `${value.charAt(0).toUpperCase()}${value.slice(1)}.`
}
