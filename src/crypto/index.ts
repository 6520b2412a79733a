/**
 * Encryption at rest: the key hierarchy (master → workspace → data subject), sealed
 * values, blind indexes, crypto-shredding and rotation. Other modules use `Keyring`.
 */
export {
  type BlindIndexKind,
  blindIndexKinds,
  blindIndexLength,
  normalizeForIndex,
} from './blind-index.js'
export { type CellRef, envelopeOverhead } from './envelope.js'
export type { KeyProvider, WrapContext } from './key-provider.js'
export { encodeWrapContext, KeyUnwrapError } from './key-wrap.js'
export {
  type BlindIndexer,
  type KeyAccess,
  type Keyring,
  type KeyringOptions,
  openKeyring,
  type SealersOptions,
} from './keyring.js'
export { createLocalKeyProvider, masterKeyLength } from './local-key-provider.js'
export { masterKeyFileName } from './master-key.js'
export type { ResealReport } from './reseal.js'
export type { RotateOptions, RotationPhase, RotationProgress, WorkspaceRotation } from './rotate.js'
export type {
  PreparedSealing,
  PrepareSealingOptions,
  SealedRequest,
  SealingCell,
  SealingRequest,
} from './prepared-sealing.js'
export { SealedColumnRegistry, type SealedColumns } from './sealed-columns.js'
export { type FieldRef, type JsonValue, SubjectSealer } from './subject-sealer.js'
export { hasKeyCheck } from './key-check.js'
export {
  readKeyFile,
  resolveMasterKey,
  stageDataDirKeyFile,
  usesDataDirKeyFile,
} from './master-key.js'
export { changeMasterKey, type MasterKeyChange } from './master-rewrap.js'
export { selectShredEpoch, shredChannel } from './subject-keys.js'
