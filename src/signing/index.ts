/**
 * Signing: each workspace's Ed25519 signing keys (private halves sealed, public halves
 * published as a JWK set), compact JWS of what it vouches for (consent receipts), and
 * rotation that leaves everything signed before it verifiable. Other modules import
 * only from here.
 */
export { type Ed25519PublicJwk, jwkThumbprint } from './compact-jws.js'
export {
  type PublishedJwk,
  publishedKeys,
  rotateSigningKey,
  type SigningDeps,
  signForWorkspace,
} from './signing-keys.js'
export { signingAuditActions } from './signing.audit.js'
export { jwksPath, registerSigningRoutes } from './signing.routes.js'
