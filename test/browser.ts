import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

/**
 * Debian's Chromium, driven by playwright-core (never a downloaded browser). Flags keep
 * it off the network: this machine has none, and a refused background connection is
 * noise at best. Playwright gives each launch a fresh, temporary profile. Under CI=true a missing Chromium fails the test instead of skipping it.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The flags every launch here uses: no sandbox in the VM, no GPU, no network of its own. */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function browserSkip(): string | false {
  if (existsSync(chromiumPath)) return false
  if (process.env.CI === 'true' || process.env.CI === '1') return false
  return `Chromium not found at ${chromiumPath} (apt-get install chromium)`
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: [...chromiumArgs],
  })
}
