/**
 * The headers every response carries, the framework's own error answers and Node's
 * answers to malformed HTTP included (see raw-errors.ts), so there is one list.
 * Custodian's API answers JSON and never wants to be framed, sniffed, cached by a
 * shared cache or to load anything; its two small pages set their own, narrower CSP.
 */
export function securityHeaders(options: { tls: boolean }): Readonly<Record<string, string>> {
  return Object.freeze({
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'x-dns-prefetch-control': 'off',
    'x-permitted-cross-domain-policies': 'none',
    // Answers may hold personal data: no shared cache may keep them.
    'cache-control': 'no-store',
    // HSTS only means something over TLS, and only when this process terminates it.
    ...(options.tls ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  })
}
