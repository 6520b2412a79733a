import type { WrapContext } from './key-wrap.js'

export type { WrapContext } from './key-wrap.js'

/**
 * The top of the key hierarchy: whatever holds the master key. It wraps and unwraps
 * the keys one level down (workspace keys, blind-index keys, the key-check canary) and
 * never hands out the master key itself.
 *
 * `context` names what a key is for (`purpose`, `workspace`, `version`); a provider
 * must bind the wrapped bytes to it, so a wrapped key copied to another row fails to
 * unwrap. The local provider (`createLocalKeyProvider`) keeps the master key in memory
 * from `CUSTODIAN_MASTER_KEY` or a key file.
 *
 * How a KMS plugs in: implement this interface over the KMS's encrypt/decrypt calls
 * and pass it to `openKeyring({ provider })`; nothing else changes.
 *
 * ```ts
 * const kmsProvider: KeyProvider = {
 *   kind: 'aws-kms',
 *   // AWS KMS: Encrypt/Decrypt with EncryptionContext = context (string map, logged in
 *   // CloudTrail, so it must hold ids only). Cloud KMS or Vault transit: pass
 *   // encodeWrapContext('custodian/kms/v1', context) as additional authenticated data.
 *   wrapKey: async (key, context) => Buffer.from((await kms.send(new EncryptCommand({
 *     KeyId: keyArn, Plaintext: key, EncryptionContext: { ...context } }))).CiphertextBlob!),
 *   unwrapKey: async (wrapped, context) => Buffer.from((await kms.send(new DecryptCommand({
 *     KeyId: keyArn, CiphertextBlob: wrapped, EncryptionContext: { ...context } }))).Plaintext!),
 * }
 * ```
 *
 * Only workspace keys, blind-index keys and the canary go through the provider, and
 * their clear forms are cached, so a KMS sees a call per workspace per process start,
 * not per value. The provider's `kind` is recorded with the key check: a database set up
 * under one provider refuses to open under another until its keys are re-wrapped.
 */
export interface KeyProvider {
  /** The kind of provider, recorded with the key check: `local`, `aws-kms`, … */
  readonly kind: string
  wrapKey(key: Uint8Array, context: WrapContext): Promise<Buffer>
  /** Rejects (with `KeyUnwrapError` or the KMS's error) when the bytes or context do not match. */
  unwrapKey(wrapped: Uint8Array, context: WrapContext): Promise<Buffer>
}
