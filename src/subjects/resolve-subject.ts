import type { Keyring } from '../crypto/index.js'
import { AppError } from '../errors.js'
import type {
  BlindIdentifier,
  Located,
  PersonalDataRegistry,
  ResolvedSubject,
} from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import type { SubjectIdentifier } from './identifiers.logic.js'
import { findSubjectIdsByIndexes, selectSurvivingIds } from './identifiers.repository.js'
import { subjectIdsOfPerson } from './personal-data.js'

/** How a caller names a person: one or more of their identifiers, in clear. */
export type SubjectName = SubjectIdentifier

export interface ResolveDeps {
  db: Database
  keyring: Keyring
  registry: PersonalDataRegistry
}

/** One person as the registry's sources found them. */
export interface Resolution {
  /**
   * The surviving subject that speaks for the person: the one the first name given
   * that any subject has leads to (after every merge). Null when no subject has any of
   * their names (an operator who is no end-user, or a person already erased).
   */
  subjectId: string | null
  /** Every subject of the person: `subjectId` and each subject merged into it, sorted. */
  linkedIds: string[]
  /**
   * Every id whose key seals some of the person's data, sorted: `linkedIds`, a contact
   * from before the subjects module that is its own key holder, operator accounts.
   */
  keyHolders: string[]
  /** The person as the sources see them. */
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
 *   const ada = await resolveSubject(deps, workspaceId, [{ email: 'ada@example.com' }])
 *   // ada.subjectId: her subject; ada.keyHolders: it, any subject merged into it, her
 *   // operator account
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
  const named = [...identifiers.values()].map((identifier) => identifier.blindIndex)
  const keyHolders = new Set<string>()
  let located: Record<string, Located> = {}
  let subject: ResolvedSubject | undefined
  for (let round = 0; round < maxRounds && subject === undefined; round += 1) {
    const asked = snapshot(workspaceId, identifiers, keyHolders)
    located = await locateAll(deps.registry, asked)
    const before = identifiers.size + keyHolders.size
    for (const found of Object.values(located)) {
      for (const id of found.keyHolders) keyHolders.add(id)
      for (const item of found.identifiers) identifiers.set(item.blindIndex.toString('hex'), item)
    }
    if (identifiers.size + keyHolders.size === before) subject = asked
  }
  subject ??= snapshot(workspaceId, identifiers, keyHolders)
  const linkedIds = await subjectIdsOfPerson(deps.db, subject)
  return {
    subjectId: await survivorOf(deps.db, workspaceId, named, linkedIds),
    linkedIds,
    keyHolders: [...subject.keyHolders],
    subject,
    located,
  }
}

/** The survivor the first known name leads to; else the first survivor of the person's subjects. */
async function survivorOf(
  db: Database,
  workspaceId: string,
  named: readonly Buffer[],
  linkedIds: readonly string[],
): Promise<string | null> {
  const byIndex = await findSubjectIdsByIndexes(db, workspaceId, named)
  for (const blindIndex of named) {
    const subjectId = byIndex.get(blindIndex.toString('latin1'))
    if (subjectId !== undefined) return subjectId
  }
  const surviving = await selectSurvivingIds(db, workspaceId, linkedIds)
  return [...new Set(surviving.values())].sort()[0] ?? null
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
  name: SubjectIdentifier,
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
