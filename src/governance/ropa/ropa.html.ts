import { html, listOf, page, type SafeHtml } from '../shared/safe-html.js'
import { controllerLine } from './ropa.logic.js'
import type { Activity, RecordsOfProcessing } from './ropa.schema.js'

function row(label: string, value: SafeHtml | string): SafeHtml {
  return html`<tr>
    <th scope="row">${label}</th>
    <td>${value}</td>
  </tr>`
}

function activitySection(activity: Activity): SafeHtml {
  const transfers = activity.transfers.map(
    (transfer) =>
      `${transfer.subprocessor} (${transfer.country}): ${transfer.mechanism}${transfer.safeguards.length > 0 ? `; ${transfer.safeguards.join(', ')}` : ''}${transfer.guardAllows ? '' : ' [the transfer guard refuses it today]'}`,
  )
  return html`<section id="${activity.category}">
    <h3>
      ${activity.label}
      <span class="meta"
        >(${activity.category}${activity.origin === 'workspace' ? ', added by the workspace' : ''})</span
      >
    </h3>
    <p>${activity.description}</p>
    <table>
      ${row('Purposes (Art. 30(1)(b))', listOf([...activity.purposes, ...activity.consentPurposes.map((purpose) => `${purpose.name}: ${purpose.description} (${purpose.lawfulBasis})`)]))}
      ${row('Lawful bases', listOf(activity.lawfulBases))}
      ${row('Legitimate interests', activity.legitimateInterests ?? 'Not applicable')}
      ${row('Special category data (Art. 9)', activity.specialCategory ? (activity.specialCategoryCondition ?? 'Yes') : 'No')}
      ${row('Data subjects (Art. 30(1)(c))', listOf(activity.dataSubjects))}
      ${row('Recipients (Art. 30(1)(d))', listOf([...activity.recipients, ...activity.subprocessors.map((entry) => `${entry.name} (${entry.country}): ${entry.service}; DPA ${entry.dpa ?? 'not recorded'}`)]))}
      ${row('Transfers to third countries (Art. 30(1)(e))', transfers.length > 0 ? listOf(transfers) : 'None outside the EEA')}
      ${row('Retention (Art. 30(1)(f))', listOf([activity.retention, ...activity.locations.map((where) => `${where.table}: ${where.retention}`)]))}
      ${row('Where it is kept', listOf([...activity.systems, ...activity.locations.map((where) => `${where.module}.${where.table}`)]))}
      ${row('Source', activity.source)}
      ${row('Automated decisions', activity.automatedDecisions.length > 0 ? listOf(activity.automatedDecisions) : 'None')}
      ${row('Rights of the person', listOf(activity.rights))}
      ${row('DPIAs', activity.assessments.length > 0 ? listOf(activity.assessments.map((item) => `${item.title}: ${item.status}, review due ${item.reviewDueOn}`)) : 'None recorded')}
    </table>
  </section>`
}

/** Both records as one readable page, for people rather than spreadsheets. */
export function recordsHtml(records: RecordsOfProcessing): string {
  const { controllerRecord: controller, processorRecord: processor } = records
  const who = controller.controller
  const body = html`<h1>Records of processing activities</h1>
    <p class="meta">
      ${controller.workspace.name}: generated ${records.generatedAt} from data map version
      ${String(records.dataMapVersion)} and the live registries. The CSV export follows the
      ${records.template.name}.
    </p>
    <h2>Controller (Art. 30(1))</h2>
    <dl>
      <dt>Controller</dt>
      <dd>${controllerLine(controller.workspace.name, who)}</dd>
      <dt>Representative (Art. 27)</dt>
      <dd>
        ${who?.representative === undefined ? 'None' : `${who.representative.name}, ${who.representative.email}`}
      </dd>
      <dt>Data protection officer</dt>
      <dd>${who === null ? 'Not recorded' : `${who.dpo.name}, ${who.dpo.email}`}</dd>
      <dt>Supervisory authority</dt>
      <dd>
        ${who === null ? 'Not recorded' : `${who.supervisoryAuthority.name} (${who.supervisoryAuthority.country})`}
      </dd>
      <dt>Joint controllers</dt>
      <dd>
        ${controller.jointControllers.length === 0 ? 'None' : controller.jointControllers.join('; ')}
      </dd>
      <dt>Technical and organisational measures (Art. 30(1)(g), 32)</dt>
      <dd>${listOf(controller.technicalMeasures)}</dd>
    </dl>
    <h2>Processing activities, by category of personal data</h2>
    ${controller.activities.map(activitySection)}
    <h2>Processor (Art. 30(2))</h2>
    <dl>
      <dt>Processor</dt>
      <dd>
        ${processor.processor.name ?? processor.processor.note} (${processor.processor.publicUrl},
        region ${processor.processor.region})
      </dd>
      <dt>Controllers and the processing carried out for them</dt>
      <dd>
        ${processor.controllers.map(
          (item) =>
            html`<p>${item.controller}</p>
              ${listOf(item.categoriesOfProcessing)}`,
        )}
      </dd>
      <dt>Transfers to third countries</dt>
      <dd>
        ${processor.transfers.length === 0 ? 'None outside the EEA' : listOf(processor.transfers.map((transfer) => `${transfer.subprocessor} (${transfer.country}): ${transfer.mechanism}`))}
      </dd>
      <dt>Technical and organisational measures</dt>
      <dd>${listOf(processor.technicalMeasures)}</dd>
    </dl>`
  return page({
    title: `Records of processing: ${controller.workspace.name}`,
    language: 'en',
    body,
  })
}
