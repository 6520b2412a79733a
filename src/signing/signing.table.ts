/**
 * A workspace's signing keys (Ed25519): the current one signs consent receipts and
 * reports as compact JWS; retired ones stay, public half published, so everything they
 * signed still verifies after a rotation.
 */
export interface WorkspaceSigningKeysTable {
  id: string
  workspace_id: string
  /** The JWK thumbprint (RFC 7638) of the public key: the `kid` of what it signs. */
  kid: string
  /** The JWS algorithm, `EdDSA` (RFC 8037). */
  algorithm: string
  /** JSON of the public JWK (`kty`, `crv`, `x`). */
  public_jwk: string
  /** The private key (PKCS #8), sealed under a key of its own. */
  private_key: Buffer
  created_at: string
  /** When it stopped signing; null for the current key. */
  retired_at: string | null
}
