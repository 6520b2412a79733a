import assert from 'node:assert/strict'
import { bearer } from '../../identity/testing/fixtures.js'
import { readOutbox } from '../../mail/testing/outbox.js'
import type { TestApp } from '../../testing/test-app.js'

/** One call to the test app with a workspace key, as a customer's server or browser makes it. */
export function callWithKey(
  harness: TestApp,
  method: 'POST' | 'GET' | 'DELETE',
  url: string,
  key: string,
  payload?: object,
) {
  return harness.app.inject({
    method,
    url,
    headers: bearer(key),
    ...(payload ? { payload } : {}),
  })
}

/** The six-digit code in the newest mail the app sent to `to`. */
export async function lastCodeMailedTo(harness: TestApp, to: string): Promise<string> {
  const mails = (await readOutbox(harness.outbox)).filter((mail) => mail.to.includes(to))
  const code = /\b(\d{6})\b/.exec(mails.at(-1)?.text ?? '')?.[1]
  assert.ok(code, `a mail with a code went to ${to}`)
  return code
}
