import type { Keyring } from '../crypto/index.js'
import type { RetentionRule, RetentionScope } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { inboxSettings } from './inbox.settings.js'

/**
 * Art. 5(1)(e): a resolved conversation with no message for the workspace's period
 * (`retentionDays.conversations`) goes, with its messages, their findings and files.
 * An open or snoozed one stays, however old: the person is still waiting for an answer.
 * A body that held a finding is sealed under a key holder of its own (see
 * redact-message.ts); that key is destroyed with the message, in the same transaction,
 * so no copy of the body (a backup, a dead PostgreSQL tuple) opens afterwards.
 */
export function closedConversationsRetention(deps: {
  db: Database
  keyring: Keyring
}): RetentionRule {
  const { db } = deps
  const cutoffOf = (scope: RetentionScope) => {
    const days = inboxSettings.read(scope.settings ?? {}).retentionDays.conversations
    return { days, cutoff: new Date(scope.now.getTime() - days * 86_400_000).toISOString() }
  }
  const expired = (trx: Database, workspaceId: string, cutoff: string) =>
    trx
      .selectFrom('inbox_conversations')
      .where('workspace_id', '=', workspaceId)
      .where('state', '=', 'resolved')
      .where('last_message_at', '<', cutoff)
  return {
    name: 'closed-conversations',
    table: 'inbox_conversations',
    scope: 'workspace',
    describe: (scope) =>
      `resolved conversations with no message for ${String(cutoffOf(scope).days)} days`,
    async countExpired(scope) {
      if (scope.workspaceId === null) return 0
      const row = await expired(db, scope.workspaceId, cutoffOf(scope).cutoff)
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .executeTakeFirstOrThrow()
      return Number(row.count)
    },
    async purgeExpired(trx, scope, limit) {
      const workspaceId = scope.workspaceId
      if (workspaceId === null) return 0
      const conversations = (
        await expired(trx, workspaceId, cutoffOf(scope).cutoff).select('id').limit(limit).execute()
      ).map((row) => row.id)
      if (conversations.length === 0) return 0
      const messageRows = await trx
        .selectFrom('inbox_messages')
        .select(['id', 'body_key_id', 'subject_id'])
        .where('workspace_id', '=', workspaceId)
        .where('conversation_id', 'in', conversations)
        .execute()
      const messages = messageRows.map((row) => row.id)
      // A message's own key holder goes with it; the person's subject key stays (it also
      // seals their profile, consents and events, and goes only with their erasure).
      const ownKeys = new Set(
        messageRows
          .filter((row) => row.body_key_id !== row.subject_id)
          .map((row) => row.body_key_id),
      )
      for (const holder of ownKeys) {
        await deps.keyring.shredSubject(workspaceId, holder, { db: trx })
      }
      // Children first: findings and files name messages, messages name conversations.
      for (let start = 0; start < messages.length; start += 500) {
        const chunk = messages.slice(start, start + 500)
        for (const table of ['inbox_findings', 'inbox_attachments'] as const) {
          await trx
            .deleteFrom(table)
            .where('workspace_id', '=', workspaceId)
            .where('message_id', 'in', chunk)
            .execute()
        }
      }
      await trx
        .deleteFrom('inbox_messages')
        .where('workspace_id', '=', workspaceId)
        .where('conversation_id', 'in', conversations)
        .execute()
      const result = await trx
        .deleteFrom('inbox_conversations')
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', conversations)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
