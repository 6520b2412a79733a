import type { Actor } from '../identity/index.js'
import type { ExportWriter, JsonRecord } from '../personal-data/index.js'
import type { SubjectsDeps } from './erase-subject.js'
import { resolveSubject, type SubjectName } from './resolve-subject.js'

export interface ExportReport {
  keyHolders: number
  /** Records written per source. */
  records: Record<string, number>
}

/**
 * Art. 15 and 20: one person's data from every source, opened, handed to `writer` as
 * records per source and collection. The walk reads each source once and writes ONE
 * `subject.exported` audit entry with the counts (never one entry per row read).
 */
export async function exportSubject(
  deps: SubjectsDeps,
  input: { workspaceId: string; names: readonly SubjectName[]; actor: Actor; requestId?: string },
  writer: ExportWriter,
): Promise<ExportReport> {
  const { subject } = await resolveSubject(deps, input.workspaceId, input.names)
  const records: Record<string, number> = {}
  const counting: ExportWriter = {
    add: async (source, collection, record) => {
      records[source] = (records[source] ?? 0) + 1
      await writer.add(source, collection, record)
    },
  }
  for (const source of deps.registry.sources) await source.exportTo(subject, counting)
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'subject.exported',
    resource: { type: 'subject_export' },
    outcome: 'succeeded',
    requestId: input.requestId ?? null,
    // Records per source in one detail: the log bounds the number of detail keys.
    details: {
      keyHolders: subject.keyHolders.length,
      sources: Object.entries(records)
        .map(([source, count]) => `${source}:${count}`)
        .join(' '),
    },
  })
  return { keyHolders: subject.keyHolders.length, records }
}

/** An export kept in memory: `{source: {collection: records}}`, for a ZIP or a test. */
export function collectingWriter(): ExportWriter & {
  collected: Record<string, Record<string, JsonRecord[]>>
} {
  const collected: Record<string, Record<string, JsonRecord[]>> = {}
  return {
    collected,
    add(source, collection, record) {
      const bySource = (collected[source] ??= {})
      ;(bySource[collection] ??= []).push(record)
    },
  }
}
