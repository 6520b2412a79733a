import type { DetectionEvent } from '../rules.logic.js'

/**
 * A recorded shape of normal traffic for the replay test: a small team of one workspace
 * over fifteen working days (the baseline period and one more day), each operator
 * signing in from their office network in working hours with now and then a typo of the
 * password, reading contacts and events at their usual pace, an API key ingesting and
 * reading, a few exports and erasures for data subject requests, one refused transfer.
 * Deterministic: a seeded generator, so the replay is the same every run.
 */
export function normalDays(days = 15, start = '2026-02-02T00:00:00.000Z'): DetectionEvent[] {
  let seed = 42
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
  const workspaceId = 'ws-normal'
  const operators = [
    { id: 'op-anna', network: 'net-office', address: 'addr-anna', startHour: 8 },
    { id: 'op-ben', network: 'net-office', address: 'addr-ben', startHour: 9 },
    { id: 'op-cleo', network: 'net-home-cleo', address: 'addr-cleo', startHour: 7 },
  ]
  const events: Omit<DetectionEvent, 'seq'>[] = []
  const base = {
    workspaceId,
    resourceType: null,
    resourceId: null,
    subjectRef: null,
    details: null,
    address: null,
    network: null,
  }
  const at = (day: number, hour: number, minute: number) =>
    new Date(Date.parse(start) + ((day * 24 + hour) * 60 + minute) * 60_000).toISOString()
  for (let day = 0; day < days; day++) {
    if (day % 7 === 5 || day % 7 === 6) continue
    for (const operator of operators) {
      const hour = operator.startHour + Math.floor(random() * 2)
      const who = { actorType: 'operator', actorId: operator.id }
      const from = { address: operator.address, network: operator.network }
      if (random() < 0.3) {
        events.push({
          ...base,
          ...from,
          actorType: 'operator',
          actorId: operator.id,
          action: 'auth.login_failed',
          resourceType: 'operator',
          resourceId: operator.id,
          outcome: 'failed',
          at: at(day, hour, 0),
          details: { reason: 'wrong_password' },
        })
      }
      events.push({
        ...base,
        ...from,
        ...who,
        action: 'auth.login',
        outcome: 'succeeded',
        at: at(day, hour, 1),
      })
      // A working day of support: twenty to sixty people looked up, some twice.
      const reads = 20 + Math.floor(random() * 40)
      for (let read = 0; read < reads; read++) {
        const person = `ref-${String(Math.floor(random() * 400))}`
        events.push({
          ...base,
          ...who,
          action: 'contact.read',
          resourceType: 'contact',
          resourceId: person,
          subjectRef: person,
          outcome: 'allowed',
          at: at(day, hour + 1 + Math.floor(read / 10), read % 60),
        })
      }
      events.push({
        ...base,
        ...who,
        action: 'contact.listed',
        resourceType: 'contact',
        outcome: 'succeeded',
        details: { count: 50 },
        at: at(day, hour + 6, 30),
      })
    }
    // Ingest with the public key is not audited per event; the server key reads events.
    for (let hour = 0; hour < 24; hour += 3) {
      events.push({
        ...base,
        actorType: 'api-key',
        actorId: 'key-server',
        action: 'events.read',
        resourceType: 'events',
        outcome: 'succeeded',
        details: { count: 100 },
        at: at(day, hour, 15),
      })
    }
    events.push({
      ...base,
      actorType: 'operator',
      actorId: 'op-anna',
      action: 'subject.exported',
      outcome: 'succeeded',
      at: at(day, 11, 0),
    })
    if (day % 3 === 0) {
      events.push({
        ...base,
        actorType: 'operator',
        actorId: 'op-ben',
        action: 'subject.erased',
        outcome: 'succeeded',
        at: at(day, 14, 0),
      })
    }
    if (day === 4) {
      events.push({
        ...base,
        actorType: 'system',
        actorId: null,
        action: 'transfer.refused',
        outcome: 'denied',
        at: at(day, 16, 0),
      })
    }
  }
  events.sort((a, b) => a.at.localeCompare(b.at))
  return events.map((event, index) => ({ ...event, seq: index + 1 }))
}
