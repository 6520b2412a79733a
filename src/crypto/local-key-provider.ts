import { createSecretKey } from 'node:crypto'
import type { KeyProvider } from './key-provider.js'
import { unwrapKey, type WrapContext, wrapKey } from './key-wrap.js'

export const masterKeyLength = 32
const label = 'custodian/master-wrap/v1'

/**
 * The master key held in this process's memory, from `CUSTODIAN_MASTER_KEY` or a key
 * file. The key bytes go into a KeyObject (native memory, not exposed to JavaScript,
 * printed as `{}`) and the caller's buffer is wiped, so the only copy is inside here.
 */
export function createLocalKeyProvider(masterKey: Buffer): KeyProvider {
  if (masterKey.length !== masterKeyLength) {
    throw new RangeError(`The master key must be ${masterKeyLength} bytes`)
  }
  const key = createSecretKey(masterKey)
  masterKey.fill(0)
  return Object.freeze({
    kind: 'local',
    async wrapKey(clear: Uint8Array, context: WrapContext) {
      return wrapKey(key, label, context, clear)
    },
    async unwrapKey(wrapped: Uint8Array, context: WrapContext) {
      return unwrapKey(key, label, context, wrapped)
    },
  })
}
