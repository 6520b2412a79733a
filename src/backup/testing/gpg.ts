import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as openpgp from 'openpgp'

/**
 * The real GnuPG (Debian's `gnupg`, installed by .ci/run) in a throw-away home, run
 * non-interactively: what an operator would type to read a backup without Custodian.
 */
export interface GnupgHome {
  readonly home: string
  run(args: readonly string[], input?: Buffer | string): Buffer
  /** `gpg --decrypt`: the clear bytes, and what gpg said about the signature. */
  decrypt(file: string): { clear: Buffer; report: string }
  remove(): void
}

export function makeGnupgHome(): GnupgHome {
  const home = mkdtempSync(join(tmpdir(), 'custodian-gnupg-'))
  const run = (args: readonly string[], input?: Buffer | string) => {
    const result = spawnSync(
      'gpg',
      ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args],
      { input, maxBuffer: 1 << 30 },
    )
    if (result.status !== 0) {
      throw new Error(`gpg ${args.join(' ')} failed: ${result.stderr.toString()}`)
    }
    return { stdout: result.stdout, stderr: result.stderr.toString() }
  }
  return {
    home,
    run: (args, input) => run(args, input).stdout,
    decrypt(file) {
      const result = run(['--decrypt', file])
      return { clear: result.stdout, report: result.stderr }
    },
    remove() {
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'all'])
      rmSync(home, { recursive: true, force: true })
    },
  }
}

/** A key made by `gpg --quick-gen-key`, exported: its public and (unprotected) secret halves. */
export function quickGenKey(
  gnupg: GnupgHome,
  userId: string,
): { publicKey: string; secretKey: string } {
  gnupg.run(['--quick-gen-key', userId, 'default', 'default', 'never'])
  return {
    publicKey: gnupg.run(['--armor', '--export', userId]).toString('utf8'),
    secretKey: gnupg.run(['--armor', '--export-secret-keys', userId]).toString('utf8'),
  }
}

/** A key made by openpgp.js, as an operator's tooling might make one. */
export async function openpgpKey(name: string): Promise<{ publicKey: string; secretKey: string }> {
  const made = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name }],
    format: 'armored',
  })
  return { publicKey: made.publicKey, secretKey: made.privateKey }
}
