import type { ReadAuth } from './fixture-file.js'

/**
 * A small client of a running release's REST API, for the fixture maker: only the
 * contract (DESIGN.md) is used, so it drives any release. Each call states the status
 * it expects; anything else stops the fixture maker with the release's answer.
 */
export interface ReleaseKeys {
  publicKey: string
  secretKey: string
  session?: { cookie: string; csrfToken: string }
}

export interface CallOptions {
  auth?: ReadAuth | 'none'
  body?: object
  headers?: Record<string, string>
  /** The status (or any of the statuses) the call must answer; 201 for POST, else 200. */
  expect?: number | readonly number[]
}

export interface Answer {
  status: number
  body: unknown
  setCookies: string[]
}

export const sessionCookieName = 'custodian_session'

export class ReleaseApi {
  readonly url: string
  keys: ReleaseKeys

  constructor(url: string, keys: ReleaseKeys) {
    this.url = url
    this.keys = { ...keys }
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = {
      ...this.authHeaders(options.auth ?? 'secret'),
      ...options.headers,
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    })
    const text = await response.text()
    const body: unknown = text === '' ? null : JSON.parse(text)
    const expected = [options.expect ?? (method === 'POST' ? 201 : 200)].flat()
    if (!expected.includes(response.status)) {
      throw new Error(
        `${method} ${path}: ${response.status}, expected ${expected.join(' or ')}: ${text}`,
      )
    }
    return { status: response.status, body, setCookies: response.headers.getSetCookie() }
  }

  private authHeaders(auth: ReadAuth | 'none'): Record<string, string> {
    switch (auth) {
      case 'none':
        return {}
      case 'secret':
        return { authorization: `Bearer ${this.keys.secretKey}` }
      case 'public':
        return { authorization: `Bearer ${this.keys.publicKey}` }
      case 'owner-session': {
        const session = this.keys.session
        if (session === undefined) throw new Error('The owner has not signed in yet')
        return {
          cookie: `${sessionCookieName}=${session.cookie}`,
          'x-csrf-token': session.csrfToken,
        }
      }
    }
  }
}

/** The text at `path` inside a JSON answer; anything else is a broken assumption. */
export function textAt(value: unknown, ...path: (string | number)[]): string {
  const found = valueAt(value, path)
  if (typeof found !== 'string') throw new Error(`No text at ${path.join('.')}`)
  return found
}

export function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = value
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = Object.getOwnPropertyDescriptor(current, step)?.value
  }
  return current
}

/** The session cookie's value among a response's Set-Cookie headers. */
export function sessionCookieOf(answer: Answer): string {
  for (const header of answer.setCookies) {
    const pair = header.split(';')[0] ?? ''
    const equals = pair.indexOf('=')
    if (equals > 0 && pair.slice(0, equals).trim() === sessionCookieName) {
      return pair.slice(equals + 1).trim()
    }
  }
  throw new Error('The sign-in set no session cookie')
}
