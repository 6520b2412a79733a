import type { AuditActionCatalogue } from '../audit/index.js'

/** What the workspaces module writes to the audit log: a tenant's birth and its settings. */
export const workspacesAuditActions = {
  'workspace.created': {
    when: 'A workspace was made (`workspace create`), with its two API keys',
    details: [],
  },
  'workspace.settings_changed': {
    when: 'A workspace’s name or settings changed (`PATCH /v1/workspace`)',
    details: ['fields'],
  },
} as const satisfies AuditActionCatalogue

export type WorkspacesAuditAction = keyof typeof workspacesAuditActions
