import type { Keyring } from '../crypto/index.js'
import { AppError } from '../errors.js'
import type {
  BlindIdentifier,
  Located,
  PersonalDataRegistry,
  ResolvedSubject,
} from '../personal-data/index.js'

/** How a caller names a person: one or more of their identifiers, in clear. */
export type SubjectName = { email: string } | { externalId: string } | { anonymousId: string }

export interface ResolveDeps {
  keyring: Keyring
  registry: PersonalDataRegistry
}

/** One person as the registry's sources found them. */
export interface Resolution {
  subject: ResolvedSubject
  /** What each source holds for them, by module. */
  located: Record<string, Located>
}

// Identifiers lead to rows that carry more identifiers (a contact found by email has
// an external id that names a visitor's consent subject): a handful of rounds reaches
// everything one person has; the bound only stops a runaway.
const maxRounds = 8

/**
 * Finds everything about one person without opening anything: the blind indexes of
 * the names given, then every source's rows for them, following the identifiers and
 * key holders those rows carry until nothing new turns up. Reads only; audits nothing
 * (the walk that uses it audits once).
 *
 * @example
 *   const { subject } = await resolveSubject(deps, workspaceId, [{ email: 'ada@example.com' }])
 *   // subject.keyHolders: the contact, consent subjects and operator accounts of Ada
 */
export async function resolveSubject(
  deps: ResolveDeps,
  workspaceId: string,
  names: readonly SubjectName[],
): Promise<Resolution> {
  if (names.length === 0) throw new AppError('invalid_request', 'Name the person by an identifier')
  const indexer = await deps.keyring.indexerFor(workspaceId)
  const identifiers = new Map<string, BlindIdentifier>()
  for (const name of names) {
    const identifier = blindIdentifierOf(name, (kind, value) => indexer.index(kind, value))
    identifiers.set(identifier.blindIndex.toString('hex'), identifier)
  }
  const keyHolders = new Set<string>()
  let located: Record<string, Located> = {}
  for (let round = 0; round < maxRounds; round += 1) {
    const subject = snapshot(workspaceId, identifiers, keyHolders)
    located = await locateAll(deps.registry, subject)
    const before = identifiers.size + keyHolders.size
    for (const found of Object.values(located)) {
      for (const id of found.keyHolders) keyHolders.add(id)
      for (const item of found.identifiers) identifiers.set(item.blindIndex.toString('hex'), item)
    }
    if (identifiers.size + keyHolders.size === before) return { subject, located }
  }
  return { subject: snapshot(workspaceId, identifiers, keyHolders), located }
}

/** Every source's rows for a person, by module. */
export async function locateAll(
  registry: PersonalDataRegistry,
  subject: ResolvedSubject,
): Promise<Record<string, Located>> {
  const located: Record<string, Located> = {}
  for (const source of registry.sources) located[source.module] = await source.locate(subject)
  return located
}

function snapshot(
  workspaceId: string,
  identifiers: Map<string, BlindIdentifier>,
  keyHolders: Set<string>,
): ResolvedSubject {
  return Object.freeze({
    workspaceId,
    identifiers: [...identifiers.values()],
    keyHolders: [...keyHolders].sort(),
  })
}

function blindIdentifierOf(
  name: SubjectName,
  index: (kind: BlindIdentifier['kind'], value: string) => Buffer,
): BlindIdentifier {
  const [kind, value] =
    'email' in name
      ? (['email', name.email] as const)
      : 'externalId' in name
        ? (['external_id', name.externalId] as const)
        : (['anonymous_id', name.anonymousId] as const)
  if (value.trim() === '') throw new AppError('invalid_request', 'An identifier is empty')
  return { kind, blindIndex: index(kind, value) }
}
