/**
 * Identity: operators, passwords, sessions, 2FA, API keys, roles, the declared access
 * of every route and authentication, the pages before the console, recovery for the
 * platform admin, and the module's personal-data source (operators are data subjects
 * too). Other modules import only from here (the module-surface lint rule says so).
 */
export {
  anyone,
  checkPlatformAdmin,
  enforceDeclaredAccess,
  platformAdmin,
  requires,
  securitySchemes,
  workspaceMember,
} from './access.js'
export type { Access } from './access.js'
export { createPublicKeyLimiter, type PublicKeyLimits } from './public-key-limiter.js'
export { authenticateApiKey, buildApiKey, insertApiKeys, recordApiKeyCreated } from './api-keys.js'
export { registerAuthentication, requestContext } from './authenticate.js'
export { principalOf } from './authorize.js'
export { type HashSlots } from './hash-slots.js'
export {
  type AuditSink,
  type IdentityDeps,
  type RequestContext,
  type SessionPolicy,
} from './identity.deps.js'
export { registerIdentityRoutes } from './identity.routes.js'
export { IdParams } from './identity.schemas.js'
export { type ApiKeyKind } from './identity.table.js'
export { isActiveOperator } from './operator-membership.js'
export { registerOperatorRoutes } from './operators.routes.js'
export { createOperator } from './operators.service.js'
export { registerIdentityPages } from './pages/index.js'
export { type ScryptCost } from './passwords.js'
export { roles, rolesRequiringTwoFactor, type Role } from './permissions.js'
export { identityPersonalData, identityTables } from './personal-data.js'
export { actorOf, type Actor, type Principal } from './principal.js'
export { readOperators } from './read-operators.js'
export { issueApiKey, reissueSetupLink, resetTwoFactor } from './recovery.service.js'
export { auditContextOf } from './request-context.js'
