import type { AuditActionCatalogue } from '../audit/index.js'

/**
 * What identity writes to the audit log: sign-ins and their refusals (the breach rules
 * count these), changes to operators, who are data subjects of their own accounts, and
 * API keys. Entries about an operator name them as the subject.
 */
export const identityAuditActions = {
  'auth.login': {
    when: 'An operator signed in and a session began',
    details: ['secondFactor'],
  },
  'auth.login_failed': {
    when: 'A sign-in was refused (`reason` says why); in the platform log if no operator has the email',
    details: ['reason'],
  },
  'auth.account_locked': {
    when: 'Failed sign-ins reached the per-account limit and the account is locked for a while',
    details: [],
  },
  'auth.workspace_choice_offered': {
    when: 'A password opened accounts in several workspaces; one entry per workspace offered',
    details: ['workspaces'],
  },
  'auth.logout': { when: 'An operator ended their session', details: [] },
  'auth.logout_everywhere': { when: 'An operator ended all their sessions', details: [] },
  'auth.setup_link_checked': {
    when: 'The setup page checked a one-time setup link (the email is opened to show it masked)',
    details: [],
  },
  'auth.password_set': {
    when: 'An invited operator set their first password through their setup link',
    details: ['sessionsEnded'],
  },
  'auth.password_reset': {
    when: 'A reissued setup link replaced an operator’s password, ending their sessions',
    details: ['sessionsEnded'],
  },
  'auth.two_factor_enabled': { when: 'An operator turned TOTP on', details: [] },
  'auth.two_factor_disabled': { when: 'An operator turned TOTP off', details: [] },
  'auth.recovery_codes_regenerated': {
    when: 'An operator replaced their recovery codes',
    details: [],
  },
  'auth.two_factor_reset': {
    when: 'The platform admin turned an operator’s 2FA off (`operator reset-2fa`)',
    details: ['twoFactorWasOn', 'recoveryCodesDeleted', 'sessionsEnded'],
  },
  'operator.created': {
    when: 'An operator was invited (`POST /v1/operators` or `operator create`)',
    details: ['role'],
  },
  'operator.listed': { when: 'The workspace’s operators were listed', details: ['count'] },
  'operator.read': { when: 'One operator’s account was read', details: [] },
  'operator.role_changed': { when: 'An operator’s role changed', details: ['from', 'to'] },
  'operator.disabled': {
    when: 'An operator was disabled and their sessions ended',
    details: [],
  },
  'operator.profile_changed': {
    when: 'An operator’s name or picture changed',
    details: [],
  },
  'operator.setup_link_reissued': {
    when: 'The platform admin reissued an operator’s setup link (`operator invite-again`)',
    details: ['voidedLinks', 'passwordSet'],
  },
  'api_key.created': {
    when: 'A workspace API key was made (API, `keys create`, or with its workspace)',
    details: ['kind'],
  },
  'api_key.revoked': { when: 'A workspace API key was revoked', details: [] },
  'auth.key_refused': {
    when: 'A Bearer key was refused: `reason` is revoked (in its workspace) or unknown (platform log)',
    details: ['reason'],
  },
} as const satisfies AuditActionCatalogue

export type IdentityAuditAction = keyof typeof identityAuditActions
