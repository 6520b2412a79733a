/**
 * The detection rules over the audit stream: pure, no I/O. A pass feeds them the entries
 * after the cursor with the state the last pass left (sliding windows, baselines) and
 * gets back the new state and the hits. The controller must be able to detect a breach
 * to notify it within 72 hours (Art. 33(1)) and must test its measures regularly (Art.
 * 32(1)(d)); each threshold comes from configuration (`breach-rules.ts`).
 */

export const ruleNames = [
  'failed-logins-account',
  'failed-logins-address',
  'subject-reads',
  'refused-key',
  'operator-network',
  'operator-hours',
  'audit-chain',
  'transfer-refusals',
  'mass-rights',
] as const
export type RuleName = (typeof ruleNames)[number]

export interface Window {
  readonly count: number
  readonly windowMinutes: number
}

export interface Thresholds {
  readonly failedLoginsPerAccount: Window
  readonly failedLoginsPerAddress: Window
  /** Distinct subjects an actor reads or exports per window, against its own baseline. */
  readonly subjectReads: {
    readonly factor: number
    readonly minimum: number
    readonly windowMinutes: number
    readonly baselineDays: number
  }
  /** Any use of a revoked key; unknown keys from one address past `count` per window. */
  readonly refusedKeys: Window
  /** New network or unusual hour, once an operator has this many sign-ins on record. */
  readonly operatorSessions: { readonly minLogins: number; readonly hourSlack: number }
  readonly transferRefusals: Window
  /** Erasures plus exports of subjects in one workspace. */
  readonly erasuresAndExports: Window
  /** The rules whose hits open an incident in the breach register at once. */
  readonly openIncident: readonly RuleName[]
}

/** An audit entry as the rules see it; `address` and `network` are keyed digests. */
export interface DetectionEvent {
  readonly seq: number
  readonly at: string
  readonly workspaceId: string | null
  readonly actorType: string
  readonly actorId: string | null
  readonly action: string
  readonly resourceType: string | null
  readonly resourceId: string | null
  readonly subjectRef: string | null
  readonly outcome: string
  readonly details: Readonly<Record<string, unknown>> | null
  /** Digest of the caller's whole address; null when none was kept. */
  readonly address: string | null
  /** Digest of its network (/24 for IPv4, /48 for IPv6). */
  readonly network: string | null
}

export type Evidence = Readonly<Record<string, string | number | null>>

export interface Hit {
  readonly rule: RuleName
  readonly workspaceId: string | null
  readonly severity: 'warning' | 'critical'
  readonly at: string
  readonly evidence: Evidence
  /** Whose audit trail an incident should read for the affected subjects, and from when. */
  readonly trail?: { readonly actorType: string; readonly actorId: string; readonly from: string }
}

type Stamp = [at: string, seq: number]

interface ReadProfile {
  bucket: string
  refs: string[]
  extra: number
  alerted: boolean
  history: [bucket: string, count: number][]
}

interface OperatorProfile {
  logins: number
  networks: string[]
  hours: number[]
}

export interface DetectionState {
  windows: Record<string, Stamp[]>
  quietUntil: Record<string, string>
  reads: Record<string, ReadProfile>
  operators: Record<string, OperatorProfile>
  chainBrokenAt: number | null
}

export function emptyState(): DetectionState {
  return { windows: {}, quietUntil: {}, reads: {}, operators: {}, chainBrokenAt: null }
}

const minuteMs = 60_000
const maxNetworks = 32
const maxRefs = 100_000

/** Runs every rule over `events` (oldest first); `state` is changed in place and returned. */
export function runRules(
  state: DetectionState,
  events: readonly DetectionEvent[],
  thresholds: Thresholds,
): { state: DetectionState; hits: Hit[] } {
  const hits: Hit[] = []
  for (const event of events) {
    failedLogins(state, event, thresholds, hits)
    refusedKeys(state, event, thresholds, hits)
    subjectReads(state, event, thresholds, hits)
    operatorSessions(state, event, thresholds, hits)
    counted(state, event, thresholds, hits)
  }
  const last = events.at(-1)
  if (last !== undefined) prune(state, last.at, thresholds)
  return { state, hits }
}

/** A hit for an audit chain that no longer verifies, once per break. */
export function chainHit(
  state: DetectionState,
  broken: { seq: number; reason: string },
  at: string,
): Hit | undefined {
  if (state.chainBrokenAt === broken.seq) return undefined
  state.chainBrokenAt = broken.seq
  return {
    rule: 'audit-chain',
    workspaceId: null,
    severity: 'critical',
    at,
    evidence: { seq: broken.seq, reason: broken.reason },
  }
}

/**
 * Adds the event to the window under `key` and answers the stamps in it when they reach
 * the threshold and the key is not quiet (one alert per burst, not one per entry).
 */
function burst(state: DetectionState, key: string, event: DetectionEvent, window: Window) {
  const stamps = (state.windows[key] ??= [])
  const start = Date.parse(event.at) - window.windowMinutes * minuteMs
  stamps.push([event.at, event.seq])
  while (stamps.length > 0 && Date.parse(stamps[0]?.[0] ?? event.at) < start) stamps.shift()
  if (stamps.length > window.count) stamps.splice(0, stamps.length - window.count)
  if (stamps.length < window.count) return undefined
  const quiet = state.quietUntil[key]
  if (quiet !== undefined && quiet > event.at) return undefined
  state.quietUntil[key] = new Date(
    Date.parse(event.at) + window.windowMinutes * minuteMs,
  ).toISOString()
  return stamps
}

function windowEvidence(stamps: readonly Stamp[], window: Window): Evidence {
  return {
    count: stamps.length,
    threshold: window.count,
    windowMinutes: window.windowMinutes,
    fromSeq: stamps[0]?.[1] ?? null,
    toSeq: stamps.at(-1)?.[1] ?? null,
  }
}

function failedLogins(state: DetectionState, event: DetectionEvent, t: Thresholds, hits: Hit[]) {
  if (event.action !== 'auth.login_failed') return
  // Per account: the operator the attempts were made against (Art. 32(1)(b)).
  if (event.resourceType === 'operator' && event.resourceId !== null) {
    const key = `failed-account|${event.workspaceId ?? ''}|${event.resourceId}`
    const stamps = burst(state, key, event, t.failedLoginsPerAccount)
    if (stamps !== undefined) {
      hits.push({
        rule: 'failed-logins-account',
        workspaceId: event.workspaceId,
        severity: 'warning',
        at: event.at,
        evidence: {
          ...windowEvidence(stamps, t.failedLoginsPerAccount),
          operatorId: event.resourceId,
        },
        trail: {
          actorType: 'operator',
          actorId: event.resourceId,
          from: stamps[0]?.[0] ?? event.at,
        },
      })
    }
  }
  if (event.address !== null) {
    const stamps = burst(state, `failed-address|${event.address}`, event, t.failedLoginsPerAddress)
    if (stamps !== undefined) {
      hits.push({
        rule: 'failed-logins-address',
        workspaceId: null,
        severity: 'warning',
        at: event.at,
        evidence: windowEvidence(stamps, t.failedLoginsPerAddress),
      })
    }
  }
}

function refusedKeys(state: DetectionState, event: DetectionEvent, t: Thresholds, hits: Hit[]) {
  if (event.action !== 'auth.key_refused') return
  if (event.details?.reason === 'revoked' && event.resourceId !== null) {
    // A revoked key still in use: it leaked, or a client was never told (Art. 32(1)(b)).
    const once = { count: 1, windowMinutes: t.refusedKeys.windowMinutes }
    const stamps = burst(state, `revoked|${event.resourceId}`, event, once)
    if (stamps !== undefined) {
      hits.push({
        rule: 'refused-key',
        workspaceId: event.workspaceId,
        severity: 'warning',
        at: event.at,
        evidence: { reason: 'revoked', apiKeyId: event.resourceId, seq: event.seq },
      })
    }
    return
  }
  if (event.address === null) return
  const stamps = burst(state, `unknown-key|${event.address}`, event, t.refusedKeys)
  if (stamps !== undefined) {
    hits.push({
      rule: 'refused-key',
      workspaceId: null,
      severity: 'warning',
      at: event.at,
      evidence: { reason: 'unknown', ...windowEvidence(stamps, t.refusedKeys) },
    })
  }
}

function isSubjectRead(event: DetectionEvent): boolean {
  if (event.actorType !== 'operator' && event.actorType !== 'api-key') return false
  if (event.outcome !== 'allowed' && event.outcome !== 'succeeded') return false
  return /[._](read|listed|exported)$/.test(event.action) && !event.action.startsWith('audit.')
}

function bucketOf(at: string, windowMinutes: number): string {
  const size = windowMinutes * minuteMs
  return new Date(Math.floor(Date.parse(at) / size) * size).toISOString()
}

function subjectReads(state: DetectionState, event: DetectionEvent, t: Thresholds, hits: Hit[]) {
  if (!isSubjectRead(event) || event.actorId === null || event.workspaceId === null) return
  const rule = t.subjectReads
  const key = `${event.workspaceId}|${event.actorType}|${event.actorId}`
  const bucket = bucketOf(event.at, rule.windowMinutes)
  const profile = (state.reads[key] ??= { bucket, refs: [], extra: 0, alerted: false, history: [] })
  if (profile.bucket !== bucket) {
    // A window that raised an alert is not part of the actor's normal.
    if (!profile.alerted)
      profile.history.push([profile.bucket, profile.refs.length + profile.extra])
    const since = new Date(Date.parse(event.at) - rule.baselineDays * 86_400_000).toISOString()
    profile.history = profile.history.filter(([at]) => at >= since)
    Object.assign(profile, { bucket, refs: [], extra: 0, alerted: false })
  }
  if (event.subjectRef !== null) {
    if (!profile.refs.includes(event.subjectRef) && profile.refs.length < maxRefs) {
      profile.refs.push(event.subjectRef)
    }
  } else if (typeof event.details?.count === 'number' && event.details.count > 0) {
    profile.extra += event.details.count
  }
  const count = profile.refs.length + profile.extra
  const baseline = profile.history.reduce((most, [, seen]) => Math.max(most, seen), 0)
  const limit = Math.max(rule.minimum, rule.factor * baseline)
  if (profile.alerted || count <= limit) return
  profile.alerted = true
  hits.push({
    rule: 'subject-reads',
    workspaceId: event.workspaceId,
    severity: 'critical',
    at: event.at,
    evidence: {
      subjects: count,
      baseline,
      limit,
      windowMinutes: rule.windowMinutes,
      actorType: event.actorType,
      actorId: event.actorId,
      seq: event.seq,
    },
    trail: { actorType: event.actorType, actorId: event.actorId, from: bucket },
  })
}

function operatorSessions(
  state: DetectionState,
  event: DetectionEvent,
  t: Thresholds,
  hits: Hit[],
) {
  if (event.action !== 'auth.login' || event.actorType !== 'operator' || event.actorId === null) {
    return
  }
  const key = `${event.workspaceId ?? ''}|${event.actorId}`
  const profile = (state.operators[key] ??= {
    logins: 0,
    networks: [],
    hours: Array.from({ length: 24 }, () => 0),
  })
  const hour = new Date(event.at).getUTCHours()
  const trail = { actorType: 'operator', actorId: event.actorId, from: event.at }
  const evidence = { operatorId: event.actorId, loginsOnRecord: profile.logins, seq: event.seq }
  if (profile.logins >= t.operatorSessions.minLogins) {
    if (event.network !== null && !profile.networks.includes(event.network)) {
      hits.push({
        rule: 'operator-network',
        workspaceId: event.workspaceId,
        severity: 'warning',
        at: event.at,
        evidence: { ...evidence, knownNetworks: profile.networks.length },
        trail,
      })
    }
    let near = 0
    for (
      let offset = -t.operatorSessions.hourSlack;
      offset <= t.operatorSessions.hourSlack;
      offset++
    ) {
      near += profile.hours[(hour + offset + 24) % 24] ?? 0
    }
    if (near === 0) {
      hits.push({
        rule: 'operator-hours',
        workspaceId: event.workspaceId,
        severity: 'warning',
        at: event.at,
        evidence: { ...evidence, hourUtc: hour },
        trail,
      })
    }
  }
  profile.logins += 1
  profile.hours[hour] = (profile.hours[hour] ?? 0) + 1
  if (event.network !== null) {
    profile.networks = [event.network, ...profile.networks.filter((n) => n !== event.network)]
    profile.networks.length = Math.min(profile.networks.length, maxNetworks)
  }
}

/** Rules that count one kind of entry per workspace in a window. */
function counted(state: DetectionState, event: DetectionEvent, t: Thresholds, hits: Hit[]) {
  const scope = event.workspaceId ?? 'instance'
  if (event.action === 'transfer.refused') {
    const stamps = burst(state, `transfers|${scope}`, event, t.transferRefusals)
    if (stamps !== undefined) {
      hits.push({
        rule: 'transfer-refusals',
        workspaceId: event.workspaceId,
        severity: 'warning',
        at: event.at,
        evidence: windowEvidence(stamps, t.transferRefusals),
      })
    }
  }
  if (event.action === 'subject.erased' || event.action === 'subject.exported') {
    const stamps = burst(state, `rights|${scope}`, event, t.erasuresAndExports)
    if (stamps !== undefined) {
      hits.push({
        rule: 'mass-rights',
        workspaceId: event.workspaceId,
        severity: 'critical',
        at: event.at,
        evidence: windowEvidence(stamps, t.erasuresAndExports),
        ...(event.actorId === null
          ? {}
          : {
              trail: {
                actorType: event.actorType,
                actorId: event.actorId,
                from: stamps[0]?.[0] ?? event.at,
              },
            }),
      })
    }
  }
}

/** Drops windows and quiet periods that have passed, so the state stays small. */
function prune(state: DetectionState, now: string, t: Thresholds): void {
  const longest =
    Math.max(
      t.failedLoginsPerAccount.windowMinutes,
      t.failedLoginsPerAddress.windowMinutes,
      t.refusedKeys.windowMinutes,
      t.transferRefusals.windowMinutes,
      t.erasuresAndExports.windowMinutes,
    ) * minuteMs
  const oldest = new Date(Date.parse(now) - longest).toISOString()
  state.windows = Object.fromEntries(
    Object.entries(state.windows).filter(([, stamps]) => (stamps.at(-1)?.[0] ?? '') >= oldest),
  )
  state.quietUntil = Object.fromEntries(
    Object.entries(state.quietUntil).filter(([, until]) => until > now),
  )
  const baselineStart = new Date(
    Date.parse(now) - t.subjectReads.baselineDays * 86_400_000,
  ).toISOString()
  state.reads = Object.fromEntries(
    Object.entries(state.reads).filter(([, profile]) => profile.bucket >= baselineStart),
  )
}
