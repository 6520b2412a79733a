import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ledgerActions } from '../consent/index.js'
import { auditActionPattern } from './action-catalogue.js'
import {
  catalogueEntryOf,
  type AuditAction,
  auditActions,
  auditCatalogues,
  isAuditAction,
  joinCatalogues,
} from './audit-actions.js'

/**
 * Every name written before the catalogue existed. Stored entries carry them inside their
 * chain hashes, and operators and breach rules filter on them: renaming or dropping one
 * fails the type check here (`satisfies`) as well as the test below.
 */
const releasedActions = [
  'api_key.created',
  'api_key.revoked',
  'audit.ip_revealed',
  'auth.account_locked',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.logout_everywhere',
  'auth.password_reset',
  'auth.password_set',
  'auth.recovery_codes_regenerated',
  'auth.setup_link_checked',
  'auth.two_factor_disabled',
  'auth.two_factor_enabled',
  'auth.two_factor_reset',
  'auth.workspace_choice_offered',
  'consent.age_declared',
  'consent.automated_opted_in',
  'consent.automated_opted_out',
  'consent.basis_changed',
  'consent.denied',
  'consent.erased',
  'consent.gpc_off',
  'consent.gpc_on',
  'consent.granted',
  'consent.linked',
  'consent.objected',
  'consent.objection_withdrawn',
  'consent.parental_verified',
  'consent.parental_withdrawn',
  'consent.policy_published',
  'consent.purpose_changed',
  'consent.purpose_created',
  'consent.read',
  'consent.receipt_read',
  'consent.restricted',
  'consent.restriction_lifted',
  'consent.withdrawn',
  'contact.created',
  'contact.deleted',
  'contact.enriched',
  'contact.listed',
  'contact.read',
  'contact.updated',
  'events.erased',
  'events.read',
  'operator.created',
  'operator.disabled',
  'operator.listed',
  'operator.profile_changed',
  'operator.read',
  'operator.role_changed',
  'operator.setup_link_reissued',
  'workspace.created',
  'workspace.settings_changed',
] as const satisfies readonly AuditAction[]

const sourceRoot = fileURLToPath(new URL('..', import.meta.url))

/** The application's own source files, without tests and test helpers. */
function sourceFiles(): { path: string; text: string }[] {
  return readdirSync(sourceRoot, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.test.ts'))
    .filter((path) => !path.split(/[\\/]/).includes('testing'))
    .map((path) => ({ path, text: readFileSync(join(sourceRoot, path), 'utf8') }))
}

describe('the audit action catalogue', () => {
  test('every action is a dotted lower-case verb, explained in one line, with plain detail keys', () => {
    for (const [module, catalogue] of Object.entries(auditCatalogues)) {
      for (const [action, entry] of Object.entries(catalogue)) {
        assert.match(action, auditActionPattern, `${module}: ${action}`)
        assert.match(entry.when, /^[A-Z][^\n]{10,119}$/, `${action}: when`)
        for (const key of entry.details) assert.match(key, /^[A-Za-z][A-Za-z0-9_]{0,63}$/)
        assert.equal(new Set(entry.details).size, entry.details.length, `${action}: details`)
      }
    }
  })

  test('no action is claimed by two modules', () => {
    const sizes = Object.values(auditCatalogues).map((catalogue) => Object.keys(catalogue).length)
    assert.equal(
      auditActions.length,
      sizes.reduce((sum, size) => sum + size, 0),
    )
    assert.equal(new Set(auditActions).size, auditActions.length)
    const entry = { when: 'Something happened', details: [] }
    assert.throws(
      () =>
        joinCatalogues({
          contacts: { 'contact.read': entry },
          tracking: { 'contact.read': entry },
        }),
      /contact\.read is in both contacts and tracking/,
    )
  })

  test('the published list is the union of every module’s catalogue, in order', () => {
    const union = Object.values(auditCatalogues).flatMap((catalogue) => Object.keys(catalogue))
    assert.deepEqual([...auditActions], union)
    for (const action of union) assert.equal(isAuditAction(action), true, action)
  })

  test('every name released before keeps its meaning: none renamed or dropped', () => {
    for (const action of releasedActions) assert.equal(isAuditAction(action), true, action)
  })

  test('a name outside the catalogue fails the type check, and the check at run time', () => {
    // @ts-expect-error: a typo of contact.read is no module's action
    const typo: AuditAction = 'contact.raed'
    assert.equal(isAuditAction(typo), false)
    assert.equal(isAuditAction('toString'), false, 'only the catalogue’s own names')
  })

  test('the source writes only catalogued actions, and every catalogued action is written', () => {
    const namespaces = [...new Set(auditActions.map((action) => action.split('.')[0]))]
    const actionLiteral = new RegExp(`['"\`]((?:${namespaces.join('|')})\\.[a-z0-9_.]+)['"\`]`, 'g')
    const catalogueFile = /\.audit\.ts$/
    const written = new Set<string>()
    for (const { path, text } of sourceFiles()) {
      if (catalogueFile.test(path)) continue
      for (const match of text.matchAll(actionLiteral)) {
        const action = match[1] ?? ''
        assert.equal(isAuditAction(action), true, `${path} writes ${action}, not catalogued`)
        written.add(action)
      }
    }
    // Ledger entries are audited as `consent.<ledger action>` (consent/ledger.rows.ts).
    for (const action of ledgerActions) written.add(`consent.${action}`)
    const unwritten = auditActions.filter(
      (action) => !written.has(action) && catalogueEntryOf(action)?.retired === undefined,
    )
    assert.deepEqual(unwritten, [], 'catalogued actions no module writes')
  })
})
