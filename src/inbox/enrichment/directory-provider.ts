import { readFileSync } from 'node:fs'
import { normaliseEmail } from '../../email/index.js'
import { type EnrichedProfile, type EnrichmentProvider, enrichedFields } from './provider.js'

/**
 * The built-in provider: a directory file on this machine, so enrichment runs offline
 * and nothing leaves the instance. JSON Lines, one person per line:
 *
 *   {"email": "ada@example.com", "name": "Ada Walker", "company": "Example Ltd", "avatarUrl": "https://…"}
 *
 * The file is read once, when the provider is made; a line that is not such an object
 * stops it with its line number (a silently skipped line would be a person silently
 * never enriched).
 */
export function createDirectoryProvider(path: string): EnrichmentProvider {
  const people = new Map<string, EnrichedProfile>()
  const lines = readFileSync(path, 'utf8').split('\n')
  lines.forEach((line, index) => {
    if (line.trim() === '') return
    const entry = parseEntry(line)
    if (entry === undefined) {
      throw new Error(
        `The enrichment directory's line ${index + 1} is not {"email", "name"?, "company"?, "avatarUrl"?}`,
      )
    }
    people.set(normaliseEmail(entry.email), entry.profile)
  })
  return Object.freeze({
    name: 'directory',
    recipient: null,
    resolve: async ({ email }: { email: string }) => people.get(normaliseEmail(email)),
  })
}

function parseEntry(line: string): { email: string; profile: EnrichedProfile } | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  const record = parsed as Record<string, unknown>
  if (typeof record.email !== 'string' || record.email === '') return undefined
  const profile: EnrichedProfile = {}
  for (const field of enrichedFields) {
    const value = record[field]
    if (value === undefined) continue
    if (typeof value !== 'string' || value.length > 500) return undefined
    profile[field] = value
  }
  return { email: record.email, profile }
}
