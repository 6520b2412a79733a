/**
 * Builds fuzzed requests from an operation's own schemas: a plausible request first,
 * then one hostile change to it. Seeded (mulberry32), so a failing run replays.
 */
export interface JsonSchema {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  enum?: unknown[]
  const?: unknown
  format?: string
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  patternProperties?: Record<string, JsonSchema>
  additionalProperties?: boolean | JsonSchema
  $ref?: string
}

export const mutations = [
  'plausible',
  'deep-json',
  'deep-array',
  'non-finite',
  'unknown-key',
  'wrong-types',
  'broken-json',
  'bad-encoding',
  'long-param',
  'huge-header',
  'hostile-query',
  'wrong-content-type',
  'null-body',
  'sql-injection',
  'invalid-utf8',
  'utf16-body',
  'oversize-body',
] as const

/** What SQL injection probes put wherever a string goes (path, query, body values). */
export const sqlInjections = [
  "' OR '1'='1",
  '1; DROP TABLE contacts; --',
  "x' UNION SELECT sealed_value FROM contacts --",
  '") OR 1=1 --',
  "'; SELECT pg_sleep(0); --",
  '\\x27 OR 1=1',
] as const
export type Mutation = (typeof mutations)[number]

export interface FuzzOperation {
  method: string
  path: string
  parameters: { name: string; in: string; schema?: JsonSchema }[]
  body: JsonSchema | undefined
}

export interface FuzzedRequest {
  path: string
  headers: Record<string, string>
  body: string | Buffer | undefined
  /** Planted in what was sent; an error that contains it quotes the request. */
  marker: string
}

/**
 * `ids`: real ids (another workspace's contacts, requests, conversations) put in path
 * parameters half of the time, so the fuzz also probes the tenant walls.
 */
export function makeFuzzer(seed: number, ids: readonly string[] = []) {
  const random = mulberry32(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  let counter = 0

  function valueFor(schema: JsonSchema | undefined, marker: string, depth = 0): unknown {
    if (schema === undefined || depth > 6) return marker
    if (schema.const !== undefined) return schema.const
    if (schema.enum !== undefined) return pick(schema.enum)
    const choices = schema.anyOf ?? schema.oneOf
    if (choices !== undefined) return valueFor(pick(choices), marker, depth + 1)
    const type = Array.isArray(schema.type) ? pick(schema.type) : schema.type
    switch (type) {
      case 'string':
        return stringFor(schema, marker)
      case 'integer':
        return Math.floor((schema.minimum ?? 0) + random() * 10)
      case 'number':
        return (schema.minimum ?? 0) + random() * 10
      case 'boolean':
        return random() < 0.5
      case 'null':
        return null
      case 'array':
        return Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () =>
          valueFor(schema.items, marker, depth + 1),
        )
      case 'object':
      case undefined:
        return objectFor(schema, marker, depth)
      default:
        return marker
    }
  }

  function objectFor(schema: JsonSchema, marker: string, depth: number): Record<string, unknown> {
    const object: Record<string, unknown> = {}
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (schema.required?.includes(name) || random() < 0.6) {
        object[name] = valueFor(property, marker, depth + 1)
      }
    }
    return object
  }

  function stringFor(schema: JsonSchema, marker: string): string {
    switch (schema.format) {
      case 'uuid':
        return pick([crypto.randomUUID(), '0193e0e0-0000-7000-8000-000000000000'])
      case 'email':
        return pick([`fuzz${counter}@example.com`, `${marker}@example.com`])
      case 'date-time':
        return new Date(Date.UTC(2026, 11, 1)).toISOString()
      case 'uri':
        return 'https://example.com/page'
      default:
        return pick([marker, `plain${counter}`, 'analytics', 'a'.repeat(schema.maxLength ?? 8)])
    }
  }

  return {
    pickMutation: (): Mutation => pick(mutations),

    build(operation: FuzzOperation, mutation: Mutation): FuzzedRequest {
      counter += 1
      const marker = `<zq${counter}x${Math.floor(random() * 1e6)}>`
      const headers: Record<string, string> = {}
      let path = operation.path.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
        const parameter = operation.parameters.find((item) => item.name === name)
        if (mutation === 'bad-encoding') return `%C0%AE%C0%AE%2F${encodeURIComponent(marker)}`
        if (mutation === 'long-param') return 'a'.repeat(150)
        if (mutation === 'sql-injection') return encodeURIComponent(pick(sqlInjections) + marker)
        if (ids.length > 0 && random() < 0.5) return pick(ids)
        return encodeURIComponent(String(valueFor(parameter?.schema, marker)))
      })
      const query = new URLSearchParams()
      for (const parameter of operation.parameters.filter((item) => item.in === 'query')) {
        if (random() < 0.5) query.set(parameter.name, String(valueFor(parameter.schema, marker)))
      }
      if (mutation === 'sql-injection') {
        for (const parameter of operation.parameters.filter((item) => item.in === 'query')) {
          query.set(parameter.name, pick(sqlInjections) + marker)
        }
      }
      if (mutation === 'hostile-query') {
        query.set(marker, '1e309')
        for (const parameter of operation.parameters.filter((item) => item.in === 'query')) {
          query.set(parameter.name, pick(['1e309', '-1', marker, '%zz', 'x'.repeat(5000)]))
        }
      }
      const search = query.toString()
      if (search !== '') path += `?${search}`
      if (mutation === 'huge-header') headers['x-fuzz'] = marker + 'h'.repeat(20_000)
      const body = bodyFor(operation, mutation, marker, headers)
      return { path, headers, body, marker }
    },
  }

  function bodyFor(
    operation: FuzzOperation,
    mutation: Mutation,
    marker: string,
    headers: Record<string, string>,
  ): string | Buffer | undefined {
    if (operation.body === undefined && !['POST', 'PATCH', 'PUT'].includes(operation.method)) {
      return undefined
    }
    const plausible = valueFor(operation.body, marker)
    const object = typeof plausible === 'object' && plausible !== null ? plausible : {}
    const firstKey = Object.keys(object)[0] ?? 'value'
    switch (mutation) {
      case 'deep-json':
        return JSON.stringify({ ...object, [firstKey]: '@@' }).replace(
          '"@@"',
          '{"a":'.repeat(6_000) + '1' + '}'.repeat(6_000),
        )
      case 'deep-array':
        return JSON.stringify({ ...object, [firstKey]: '@@' }).replace(
          '"@@"',
          '['.repeat(12_000) + ']'.repeat(12_000),
        )
      case 'non-finite':
        return JSON.stringify({ ...object, [firstKey]: '@@' }).replace('"@@"', '1e309')
      case 'unknown-key':
        return JSON.stringify({ ...object, [marker]: marker })
      case 'wrong-types':
        return JSON.stringify(
          Object.fromEntries(
            Object.keys(object).map((key) => [key, pick([marker, 1e308, [], {}, true, -1])]),
          ),
        )
      case 'broken-json':
        return JSON.stringify(object).slice(0, -1) + marker
      case 'wrong-content-type':
        headers['content-type'] = 'text/csv'
        return `${marker},1\n`
      case 'null-body':
        return 'null'
      case 'sql-injection':
        return JSON.stringify(injected(plausible, marker))
      case 'invalid-utf8':
        // Bytes no UTF-8 decoder accepts: a lone continuation byte, an overlong slash.
        return Buffer.concat([
          Buffer.from(JSON.stringify(plausible).slice(0, -1)),
          Buffer.from(`,"${marker}":"`),
          Buffer.from([0x80, 0xc0, 0xaf, 0xff, 0xfe]),
          Buffer.from('"}'),
        ])
      case 'utf16-body':
        headers['content-type'] = 'application/json; charset=utf-16'
        return Buffer.from(JSON.stringify({ ...object, [marker]: 1 }), 'utf16le')
      case 'oversize-body':
        // Past the default 1 MiB body limit: refused as 413 before it is parsed.
        return JSON.stringify({ ...object, [marker]: 'x'.repeat(1_100_000) })
      default:
        return JSON.stringify(plausible)
    }
  }
}

/** Every string in a value replaced by an SQL injection probe carrying the marker. */
function injected(value: unknown, marker: string, depth = 0): unknown {
  if (typeof value === 'string') return `${sqlInjections[depth % sqlInjections.length]}${marker}`
  if (Array.isArray(value)) return value.map((item) => injected(item, marker, depth + 1))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, injected(item, marker, depth + 1)]),
    )
  }
  return value
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296
  }
}
