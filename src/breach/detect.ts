import { isIP } from 'node:net'
import {
  type AuditEvent,
  openStreamIps,
  readAuditStream,
  type StreamCursor,
  type StreamEntry,
} from '../audit/index.js'
import { newId } from '../ids.js'
import { inWriteTransaction } from '../storage/index.js'
import { guardTransfer } from '../transfers/index.js'
import type { BreachDeps } from './breach.deps.js'
import {
  type DetectionRow,
  insertAlert,
  insertIncident,
  selectAlertsDueForDelivery,
  selectDetection,
  saveDetection,
  updateAlertDelivery,
} from './breach.repository.js'
import type { BreachAlertsTable, BreachIncidentsTable } from './breach.table.js'
import { prepareIncident } from './incidents.service.js'
import {
  chainHit,
  type DetectionEvent,
  type DetectionState,
  emptyState,
  type Hit,
  runRules,
} from './rules.logic.js'

/** Entries read per page, and pages per pass: a pass stays short; the next one reads on. */
const pageSize = 1000
const maxPagesPerPass = 20
const withAddresses = new Set(['auth.login', 'auth.login_failed', 'auth.key_refused'])

export interface PassReport {
  readonly entries: number
  readonly alerts: readonly BreachAlertsTable[]
  readonly incidents: number
}

/**
 * One detection pass (the `breach-detection` job, every minute): reads the audit stream
 * on from the stored cursor, runs the rules, and in one transaction stores the alerts,
 * opens the incidents the configuration asks for, audits both and moves the cursor.
 * Then each alert is logged and posted to the webhook, through the transfer guard.
 */
export async function runDetectionPass(deps: BreachDeps): Promise<PassReport> {
  // Refusals are queued (`recordSoon`): what happened up to now is read this pass.
  await deps.audit.flush()
  await deliverAgain(deps)
  const stored = await selectDetection(deps.db)
  let cursor: StreamCursor | null =
    stored === undefined
      ? null
      : { seq: stored.cursorSeq, hashHex: stored.cursorHash, id: stored.cursorId }
  const state = stored === undefined ? emptyState() : (JSON.parse(stored.state) as DetectionState)
  const hits: Hit[] = []
  const examined: StreamEntry[] = []
  let entries = 0
  const now = deps.clock.now().toISOString()
  for (let page = 0; page < maxPagesPerPass; page++) {
    const read = await readAuditStream(deps, cursor, pageSize)
    const events = await detectionEvents(deps, read.entries, examined)
    hits.push(...runRules(state, events, deps.thresholds).hits)
    entries += read.entries.length
    cursor = read.cursor
    if (read.broken !== undefined) {
      const hit = chainHit(state, read.broken, now)
      if (hit !== undefined) hits.push(hit)
      break
    }
    if (!read.more) break
  }
  if (cursor === null) return { entries, alerts: [], incidents: 0 }
  const next: DetectionRow = {
    cursorSeq: cursor.seq,
    cursorHash: cursor.hashHex,
    cursorId: cursor.id,
    state: JSON.stringify(state),
  }
  const made = await prepareAlerts(deps, hits, now)
  const audited: AuditEvent[] = [...made.events]
  const first = examined[0]
  const last = examined.at(-1)
  if (first !== undefined && last !== undefined) {
    // The opened IPs are personal data read for security monitoring: on the record.
    audited.push({
      workspaceId: null,
      actor: { actorType: 'system', actorId: null },
      action: 'breach.ips_examined',
      purpose: 'security-monitoring',
      outcome: 'succeeded',
      details: { entries: examined.length, fromSeq: first.seq, toSeq: last.seq },
    })
  }
  const prepared = audited.length === 0 ? undefined : await deps.audit.prepare(audited)
  const saved = await inWriteTransaction(deps.db, async (trx) => {
    if (!(await saveDetection(trx, stored?.cursorSeq ?? null, next, now))) return false
    for (const alert of made.alerts) await insertAlert(trx, alert)
    for (const incident of made.incidents) await insertIncident(trx, incident)
    if (prepared !== undefined) await deps.audit.recordInTransaction(trx, prepared)
    return true
  })
  if (!saved) return { entries: 0, alerts: [], incidents: 0 }
  for (const alert of made.alerts) await announce(deps, alert)
  return { entries, alerts: made.alerts, incidents: made.incidents.length }
}

/** The entries as the rules see them, sign-ins with keyed digests of address and network. */
async function detectionEvents(
  deps: BreachDeps,
  entries: readonly StreamEntry[],
  examined: StreamEntry[],
): Promise<DetectionEvent[]> {
  const needIp = entries.filter(
    (entry) => withAddresses.has(entry.action) && entry.ipSealed !== null,
  )
  const ips = await openStreamIps(deps.keyring, needIp)
  examined.push(...needIp)
  const digests = new Map<string, { address: string; network: string }>()
  for (const [index, entry] of needIp.entries()) {
    const ip = ips[index]
    if (ip === null || ip === undefined) continue
    // Only keyed digests are kept in the rules' state, never the address itself.
    const address = (await deps.keyring.instanceBlindIndex('ip_address', ip)).toString('hex')
    const network = (
      await deps.keyring.instanceBlindIndex('ip_address', `net:${networkOf(ip)}`)
    ).toString('hex')
    digests.set(entry.id, { address, network })
  }
  return entries.map((entry) => ({
    seq: entry.seq,
    at: entry.at,
    workspaceId: entry.workspaceId,
    actorType: entry.actorType,
    actorId: entry.actorId,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    subjectRef: entry.subjectRef,
    outcome: entry.outcome,
    details: entry.details,
    address: digests.get(entry.id)?.address ?? null,
    network: digests.get(entry.id)?.network ?? null,
  }))
}

/** The /24 of an IPv4 address, the /48 of an IPv6 one: one network, one office or ISP. */
export function networkOf(ip: string): string {
  if (isIP(ip) === 4) return ip.split('.').slice(0, 3).join('.')
  const [head = '', tail = ''] = ip.toLowerCase().split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === '' ? [] : tail.split(':')
  const groups = ip.includes('::')
    ? [...left, ...Array.from({ length: 8 - left.length - right.length }, () => '0'), ...right]
    : left
  return groups.slice(0, 3).join(':')
}

async function prepareAlerts(deps: BreachDeps, hits: readonly Hit[], now: string) {
  const alerts: BreachAlertsTable[] = []
  const incidents: BreachIncidentsTable[] = []
  const events: AuditEvent[] = []
  const system = { actorType: 'system' as const, actorId: null }
  for (const hit of hits) {
    const alert: BreachAlertsTable = {
      id: newId(deps.clock.now()),
      workspace_id: hit.workspaceId,
      rule: hit.rule,
      raised_at: now,
      severity: hit.severity,
      evidence: JSON.stringify({ ...hit.evidence, at: hit.at }),
      incident_id: null,
      delivery: deps.webhookUrl === undefined ? 'none' : 'pending',
      delivery_attempts: 0,
      next_delivery_at: null,
    }
    // An incident belongs to a workspace's register; a platform-wide hit stays an alert
    // for the platform admin (`custodian breach list`).
    if (deps.thresholds.openIncident.includes(hit.rule) && hit.workspaceId !== null) {
      const incident = await prepareIncident(
        deps,
        hit.workspaceId,
        {
          discoveredAt: now,
          nature: ['confidentiality'],
          description: `Opened by the ${hit.rule} detection rule (alert ${alert.id}); to be assessed.`,
          ...(hit.trail === undefined
            ? {}
            : {
                window: {
                  from: hit.trail.from,
                  until: null,
                  actorType: hit.trail.actorType,
                  actorId: hit.trail.actorId,
                },
              }),
        },
        { alertId: alert.id },
      )
      alert.incident_id = incident.id
      incidents.push(incident)
      events.push({
        workspaceId: hit.workspaceId,
        actor: system,
        action: 'breach.incident_opened',
        resource: { type: 'breach_incident', id: incident.id },
        purpose: 'security-monitoring',
        outcome: 'succeeded',
        details: { source: 'alert', rule: hit.rule },
      })
    }
    alerts.push(alert)
    events.push({
      workspaceId: hit.workspaceId,
      actor: system,
      action: 'breach.alert_raised',
      resource: { type: 'breach_alert', id: alert.id },
      purpose: 'security-monitoring',
      outcome: 'succeeded',
      details: {
        rule: hit.rule,
        severity: hit.severity,
        delivery: alert.delivery,
        incident: alert.incident_id,
      },
    })
  }
  return { alerts, incidents, events }
}

/**
 * The alert's log line, and its webhook: the payload holds the rule, counts and
 * pseudonymous ids (the access log's category), so it leaves only for a recipient the
 * transfer guard allows (DESIGN principle 6); a refusal is audited by the guard.
 */
async function announce(deps: BreachDeps, alert: BreachAlertsTable): Promise<void> {
  const logged = {
    alert: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    workspace: alert.workspace_id,
  }
  if (alert.severity === 'critical') deps.logger.error(logged, 'breach alert')
  else deps.logger.warn(logged, 'breach alert')
  await deliver(deps, alert)
}

/** Posts tried at most this many times, then the alert stays `failed` (listed by the API). */
export const maxDeliveryAttempts = 8

/**
 * Minutes before the next try after `attempts` failed ones: 1, 2, 4 … capped at an hour,
 * so eight tries span about three hours, long enough for a receiver's restart or a
 * network blip, short enough that a dead channel is visibly `failed` the same day.
 */
export function retryDelayMinutes(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1))
}

/** Failed webhooks due again, a few per pass so a dead receiver never stalls detection. */
async function deliverAgain(deps: BreachDeps): Promise<void> {
  if (deps.webhookUrl === undefined) return
  const due = await selectAlertsDueForDelivery(deps.db, deps.clock.now().toISOString(), 20)
  for (const alert of due) await deliver(deps, alert)
}

async function deliver(deps: BreachDeps, alert: BreachAlertsTable): Promise<void> {
  if (deps.webhookUrl === undefined) return
  const url = new URL(deps.webhookUrl)
  const attempts = alert.delivery_attempts + 1
  let delivery = 'delivered'
  try {
    // The instance's own security channel, set by the platform admin: registered (with
    // its DPA) among the instance's sub-processors unless it is this machine.
    await guardTransfer(deps.transfers, {
      workspaceId: null,
      kind: 'webhook',
      recipient: { host: url.hostname.replace(/^\[|\]$/g, '') },
      categories: ['access-log'],
    })
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alertView(alert)),
      signal: AbortSignal.timeout(5000),
    })
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined)
    if (!response.ok) delivery = 'failed'
  } catch (error) {
    delivery =
      error instanceof Error && 'code' in error && error.code === 'transfer_refused'
        ? 'refused'
        : 'failed'
  }
  // A refusal is policy, not a blip: it is never tried again.
  const again = delivery === 'failed' && attempts < maxDeliveryAttempts
  const nextDeliveryAt = again
    ? new Date(deps.clock.now().getTime() + retryDelayMinutes(attempts) * 60_000).toISOString()
    : null
  if (delivery !== 'delivered') {
    deps.logger.warn(
      { alert: alert.id, delivery, attempts, retry: nextDeliveryAt !== null },
      'breach alert webhook not delivered',
    )
  }
  await updateAlertDelivery(deps.db, alert.id, { delivery, attempts, nextDeliveryAt })
}

export interface AlertView {
  id: string
  workspaceId: string | null
  rule: string
  raisedAt: string
  severity: string
  evidence: Record<string, unknown>
  incidentId: string | null
  delivery: string
  deliveryAttempts: number
}

export function alertView(row: BreachAlertsTable): AlertView {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    rule: row.rule,
    raisedAt: row.raised_at,
    severity: row.severity,
    evidence: JSON.parse(row.evidence) as Record<string, unknown>,
    incidentId: row.incident_id,
    delivery: row.delivery,
    deliveryAttempts: row.delivery_attempts,
  }
}
