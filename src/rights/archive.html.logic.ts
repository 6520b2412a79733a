/**
 * Safe HTML for the archive's page. Every value of an archive is the person's own, but a
 * value may hold anything (a name typed as `<script>`), so the page is built with one
 * tagged template that escapes whatever it is given unless it is already `SafeHtml`:
 * forgetting to escape takes an explicit wrapper, never an omission.
 */

export { escapeHtml, html, type HtmlValue, SafeHtml } from '../http/index.js'

/** A date and time as a person reads it, in UTC; the text as given when it is not one. */
export function readableTime(iso: string): string {
  const time = new Date(iso)
  if (Number.isNaN(time.getTime())) return iso
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
