import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import * as openpgp from 'openpgp'
import { AppError } from '../errors.js'

/**
 * OpenPGP (RFC 4880 / 9580) as GnuPG reads it: keys, and encryption and decryption as
 * streams, so a backup of any size passes through in fixed-size chunks.
 *
 * Messages are SEIPD version 1 (with MDC): what GnuPG 2.2, still shipped by Debian,
 * decrypts. The MDC is checked at the end of the message, so a reader must not act on
 * decrypted bytes until the stream has ended cleanly: restore writes into a file or a
 * transaction it keeps only once the message and its signature have checked out.
 */
const messageConfig = {
  aeadProtect: false,
  preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
  // SHA-256 for the signature: hashed by the CPU's SHA extensions where it has them, and
  // what GnuPG verifies everywhere.
  preferredHashAlgorithm: openpgp.enums.hash.sha256,
} as const

// Decryption releases bytes before the MDC at the end is checked (see above); without
// this openpgp.js would hold the whole message in memory first.
const streamingDecryptConfig = { allowUnauthenticatedStream: true } as const

/** Public keys to encrypt to, from armored or binary key files; each must be able to encrypt. */
export async function readRecipientKeys(files: readonly Uint8Array[]): Promise<openpgp.Key[]> {
  if (files.length === 0) {
    throw new AppError('invalid_request', 'A backup needs at least one recipient key (--recipient)')
  }
  const keys: openpgp.Key[] = []
  for (const file of files) {
    const read = await readKeysFrom(file)
    for (const key of read) {
      await key.getEncryptionKey().catch((error: unknown) => {
        throw new AppError(
          'invalid_request',
          `The OpenPGP key ${key.getFingerprint()} has no valid encryption subkey`,
          { cause: error },
        )
      })
      keys.push(key.isPrivate() ? key.toPublic() : key)
    }
  }
  return keys
}

async function readKeysFrom(file: Uint8Array): Promise<openpgp.Key[]> {
  try {
    const text = Buffer.from(file).toString('utf8')
    return text.includes('-----BEGIN PGP')
      ? await openpgp.readKeys({ armoredKeys: text })
      : await openpgp.readKeys({ binaryKeys: file })
  } catch (error) {
    throw new AppError('invalid_request', 'A key file is not an OpenPGP key', { cause: error })
  }
}

/** The secret key that opens a backup (`--identity`): armored or binary, without a passphrase. */
export async function readIdentityKeys(file: Uint8Array): Promise<openpgp.PrivateKey[]> {
  let keys: openpgp.PrivateKey[]
  try {
    const text = Buffer.from(file).toString('utf8')
    keys = text.includes('-----BEGIN PGP')
      ? await openpgp.readPrivateKeys({ armoredKeys: text })
      : await openpgp.readPrivateKeys({ binaryKeys: file })
  } catch (error) {
    throw new AppError('invalid_request', 'The identity file is not an OpenPGP secret key', {
      cause: error,
    })
  }
  if (keys.some((key) => !key.isDecrypted())) {
    throw new AppError(
      'invalid_request',
      'The identity key is protected by a passphrase: export it without one for the restore (gpg --export-secret-keys with an empty passphrase), and delete that copy afterwards',
    )
  }
  return keys
}

export async function readPublicKeys(armored: string): Promise<openpgp.Key[]> {
  return openpgp.readKeys({ armoredKeys: armored })
}

/**
 * Encrypts `payload` to every recipient and signs it with `signingKey`, as a stream: one
 * literal data packet named `fileName`, signed (one-pass), not compressed.
 */
export async function encryptStream(
  payload: Readable,
  options: { recipients: readonly openpgp.Key[]; signingKey: openpgp.PrivateKey; fileName: string },
): Promise<Readable> {
  const message = await openpgp.createMessage({
    binary: Readable.toWeb(payload),
    filename: options.fileName,
    format: 'binary',
  })
  return toNodeStream(
    await openpgp.encrypt({
      message,
      encryptionKeys: [...options.recipients],
      signingKeys: options.signingKey,
      format: 'binary',
      config: messageConfig,
    }),
  )
}

/**
 * openpgp.js answers a web stream of bytes for a streamed message; its declared type
 * names its own stream library's, so it is taken here as what it is at run time.
 */
function toNodeStream(stream: unknown): Readable {
  // A short queue of chunks: the bytes waiting between stages stay a few chunks.
  return Readable.fromWeb(stream as WebReadableStream<Uint8Array>, { highWaterMark: 4 })
}

export interface DecryptedStream {
  /** The clear payload; errors at its end when the MDC or the signature does not check out. */
  readonly payload: Readable
  /** Resolves with the signer's fingerprint once the payload has been read to its end. */
  readonly signedBy: Promise<string>
}

/**
 * Decrypts and verifies a message as a stream. Nothing read from `payload` may be kept
 * before it ends without error: the integrity check and the signature come last.
 */
export async function decryptStream(
  encrypted: Readable,
  options: { identity: readonly openpgp.PrivateKey[]; signers: readonly openpgp.Key[] },
): Promise<DecryptedStream> {
  let message: openpgp.Message<ReadableStream<Uint8Array>>
  try {
    message = await openpgp.readMessage({
      binaryMessage: Readable.toWeb(encrypted),
    })
  } catch (error) {
    throw new AppError('invalid_request', 'The file is not an OpenPGP message', { cause: error })
  }
  let result: Awaited<ReturnType<typeof openpgp.decrypt<ReadableStream<Uint8Array>>>>
  try {
    result = await openpgp.decrypt({
      message,
      decryptionKeys: [...options.identity],
      verificationKeys: [...options.signers],
      expectSigned: true,
      format: 'binary',
      config: streamingDecryptConfig,
    })
  } catch (error) {
    throw new AppError(
      'invalid_request',
      'The backup does not open with this key, or is not signed by this instance',
      { cause: error },
    )
  }
  const payload = toNodeStream(result.data)
  const signedBy = signerOf(result.signatures, options.signers)
  // Read after the payload; until then a rejection must not go unhandled.
  signedBy.catch(() => {})
  return { payload, signedBy }
}

async function signerOf(
  signatures: openpgp.DecryptMessageResult['signatures'],
  signers: readonly openpgp.Key[],
): Promise<string> {
  const first = signatures[0]
  if (first === undefined) throw new AppError('invalid_request', 'The backup is not signed')
  try {
    await first.verified
  } catch (error) {
    throw new AppError('invalid_request', 'The backup’s signature does not verify', {
      cause: error,
    })
  }
  // The signing key's fingerprint, as `gpg --list-keys` and `backup create` show it.
  const signer = signers.find((key) => key.getKeyIDs().some((id) => id.equals(first.keyID)))
  return signer?.getFingerprint() ?? first.keyID.toHex()
}
