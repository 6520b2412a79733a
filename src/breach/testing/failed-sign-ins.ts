import assert from 'node:assert/strict'
import type { TestApp } from '../../testing/test-app.js'

/**
 * Six wrong passwords for one account from one address, `gapMs` apart on the test
 * clock: past the failed-logins-account rule's default threshold, so the next detection
 * pass raises its alert.
 */
export async function failSignIns(
  harness: TestApp,
  account: { workspaceId: string; email: string },
  remoteAddress: string,
  gapMs = 10_000,
): Promise<void> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const refused = await harness.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      remoteAddress,
      payload: { ...account, password: `wrong ${String(attempt)}` },
    })
    assert.equal(refused.statusCode, 401)
    harness.clock.advance(gapMs)
  }
}
