import { html, listOf, page, type SafeHtml } from '../shared/safe-html.js'
import type { PrivacyNotice } from './notice.schema.js'

function field(label: string | undefined, value: SafeHtml | string): SafeHtml {
  return html`<dt>${label ?? ''}</dt>
    <dd>${value}</dd>`
}

/** The notice as a page a person reads: the same content as the JSON, in its language. */
export function noticeHtml(notice: PrivacyNotice): string {
  const h = notice.headings
  const { controller } = notice
  const address = `${controller.address.streetAddress}, ${controller.address.postalCode} ${controller.address.locality}, ${controller.address.country}`
  const body = html`<h1>${notice.title}</h1>
    <p>${notice.intro}</p>
    <nav>
      <span class="meta">${h.otherLanguages ?? ''}:</span>
      ${notice.languages.map((language) => html` <a href="${language.url}" hreflang="${language.code}" lang="${language.code}">${language.name}</a>`)}
    </nav>
    <h2>${h.controllerHeading ?? ''}</h2>
    <dl>
      ${field(controller.legalName, html`${h.address ?? ''}: ${address}<br />${h.email ?? ''}: ${controller.email}<br />${h.phone ?? ''}: ${controller.phone}`)}
      ${field(h.dpoHeading, `${notice.dataProtectionOfficer.name}, ${notice.dataProtectionOfficer.email}`)}
      ${controller.representative === null ? html`` : field(h.representativeHeading, `${controller.representative.name}, ${controller.representative.email}`)}
    </dl>
    <h2>${h.categoriesHeading ?? ''}</h2>
    ${notice.categories.map(
      (category) =>
        html`<section id="${category.name}">
          <h3>${category.label}</h3>
          <p>${category.description}</p>
          <dl>
            ${field(h.dataSubjects, listOf(category.dataSubjects))}
            ${field(h.purposes, listOf(category.purposes))}
            ${field(h.lawfulBases, listOf(category.lawfulBases))}
            ${category.legitimateInterests === null ? html`` : field(h.legitimateInterests, category.legitimateInterests)}
            ${category.specialCategoryCondition === null ? html`` : field(h.specialCategory, category.specialCategoryCondition)}
            ${field(h.recipients, listOf([...category.recipients, ...category.processors]))}
            ${field(h.transfers, category.transfers.length === 0 ? (notice.headings.noTransfers ?? '') : listOf(category.transfers))}
            ${field(h.retention, category.retention)} ${field(h.source, category.source)}
            ${field(h.requirement, category.requirement)}
          </dl>
        </section>`,
    )}
    <h2>${h.consentPurposesHeading ?? ''}</h2>
    <dl>
      ${notice.consentPurposes.map((purpose) => field(purpose.name, `${purpose.description} (${purpose.lawfulBasis})`))}
    </dl>
    <h2 id="automated-decisions">${h.automatedHeading ?? ''}</h2>
    <p>${notice.automatedDecisions.text}</p>
    ${listOf(notice.automatedDecisions.purposes)}
    <h2 id="rights">${h.rightsHeading ?? ''}</h2>
    ${listOf(notice.rights.map((right) => `${right.text} (${right.article})`))}
    <p>${notice.exercise}</p>
    <h2>${h.withdrawHeading ?? ''}</h2>
    <p>${notice.withdrawConsent}</p>
    <h2>${h.complaintHeading ?? ''}</h2>
    <p>${notice.complaint.text}</p>
    ${notice.untranslated.length === 0 ? html`` : html`<p class="meta">${h.untranslated ?? ''}</p>`}`
  return page({ title: notice.title, language: notice.language, body })
}
