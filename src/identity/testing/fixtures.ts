import type { LightMyRequestResponse } from 'fastify'
import type { TestApp } from '../../testing/test-app.js'
import { createWorkspace } from '../../workspaces/index.js'
import { sessionCookieName } from '../authenticate.js'
import { createOperator } from '../operators.service.js'
import type { Role } from '../permissions.js'
import { totpCodeAt } from '../totp.js'

/** A signed-in operator, as a browser holds it: the cookie and the CSRF token. */
export interface SignedIn {
  operatorId: string
  email: string
  password: string
  cookie: string
  csrfToken: string
  totpSecret?: string
  headers(): Record<string, string>
}

export interface TenantFixture {
  workspaceId: string
  publicKey: string
  secretKey: string
  owner: SignedIn
}

export const password = 'correct horse battery staple'

function cookieOf(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((item) => item.name === sessionCookieName)
  if (cookie === undefined)
    throw new Error(`no session cookie: ${response.statusCode} ${response.body}`)
  return cookie.value
}

/** Invites an operator, sets their password through the setup link and signs them in. */
export async function signUpOperator(
  harness: TestApp,
  workspaceId: string,
  role: Role,
  options: { twoFactor?: boolean; email?: string } = {},
): Promise<SignedIn> {
  const email = options.email ?? `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`
  const created = await createOperator(harness.modules.identity, {
    workspaceId,
    email,
    role,
    actor: { actorType: 'system', actorId: null },
  })
  const setup = await harness.app.inject({
    method: 'POST',
    url: '/v1/auth/setup',
    payload: { token: created.setupToken, password },
  })
  if (setup.statusCode !== 200) throw new Error(`setup failed: ${setup.body}`)
  let signedIn = await signIn(harness, workspaceId, email, created.operator.id)
  if (options.twoFactor) {
    const enrolment = await harness.app.inject({
      method: 'POST',
      url: '/v1/me/2fa/enroll',
      headers: signedIn.headers(),
    })
    const { secret } = enrolment.json<{ secret: string }>()
    const confirm = await harness.app.inject({
      method: 'POST',
      url: '/v1/me/2fa/confirm',
      headers: signedIn.headers(),
      payload: { code: totpCodeAt(secret, harness.clock.now()) },
    })
    if (confirm.statusCode !== 200) throw new Error(`2FA confirm failed: ${confirm.body}`)
    // The session principal reads 2FA state from the operator row, so the session stays.
    signedIn = { ...signedIn, totpSecret: secret }
  }
  return signedIn
}

export async function signIn(
  harness: TestApp,
  workspaceId: string,
  email: string,
  operatorId: string,
  extra: Record<string, string> = {},
): Promise<SignedIn> {
  const response = await harness.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { workspaceId, email, password, ...extra },
  })
  if (response.statusCode !== 200)
    throw new Error(`login failed: ${response.statusCode} ${response.body}`)
  const cookie = cookieOf(response)
  const { csrfToken } = response.json<{ csrfToken: string }>()
  return {
    operatorId,
    email,
    password,
    cookie,
    csrfToken,
    headers: () => ({ cookie: `${sessionCookieName}=${cookie}`, 'x-csrf-token': csrfToken }),
  }
}

/** A workspace with its keys and an owner who has turned on 2FA. */
export async function createTenant(harness: TestApp, name: string): Promise<TenantFixture> {
  const workspace = await createWorkspace(harness.modules.workspaces, {
    name,
    actor: { actorType: 'system', actorId: null },
  })
  const owner = await signUpOperator(harness, workspace.id, 'owner', { twoFactor: true })
  return {
    workspaceId: workspace.id,
    publicKey: workspace.publicKey,
    secretKey: workspace.secretKey,
    owner,
  }
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` }
}
