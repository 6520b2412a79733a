import type { Ajv } from 'ajv'
import { Type } from 'typebox'
import { Format } from 'typebox/format'

/**
 * An IANA time zone name (`Europe/Berlin`, `UTC`), as the `iana-time-zone` format of
 * both validators: ajv checks route bodies, TypeBox checks a settings document when it
 * is changed and read. The check is the runtime's own: a name is valid when `Intl`
 * can date an instant in it, so whatever passes here every clock can use. The name
 * must look like an IANA name too, which keeps out the UTC offsets (`+01:00`) newer
 * runtimes accept and Node 20 refuses, so a stored value means the same on each.
 */
export const timeZoneFormat = 'iana-time-zone'

const ianaName = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/
const longestName = 64

// Checked on every settings read, so each valid name is tried once; lower case, as
// Intl compares names, keeps the set no larger than the zone database.
const knownValid = new Set<string>()

export function isTimeZoneName(name: string): boolean {
  if (name.length > longestName || !ianaName.test(name)) return false
  const key = name.toLowerCase()
  if (knownValid.has(key)) return true
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
  } catch {
    return false
  }
  knownValid.add(key)
  return true
}

// TypeBox's format registry is one per process and read when a schema is checked, so
// the module that defines the schema sets it (as email-format.ts does).
Format.Set(timeZoneFormat, isTimeZoneName)

/** An IANA time zone in a request or settings schema, with its default and description. */
export function timeZoneSchema(options: { default?: string; description?: string } = {}) {
  return Type.String({
    format: timeZoneFormat,
    maxLength: longestName,
    description: 'An IANA time zone name, e.g. Europe/Berlin or UTC',
    ...options,
  })
}

/** Teaches ajv the same check. */
export function addTimeZoneFormat(ajv: Ajv): void {
  ajv.addFormat(timeZoneFormat, isTimeZoneName)
}
