import type { App } from '../app.js'
import { anyone } from './access.js'

/**
 * The page a setup link opens: the operator chooses a password and the page sends it
 * with the link's token to `POST /v1/auth/setup`. The token travels in the URL fragment
 * (`#token=…`), which browsers never send to a server, so it stays out of access logs
 * and Referer headers. Script and style are served from this origin only (CSP).
 */
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Set your password · Custodian</title>
<link rel="stylesheet" href="/setup.css">
</head>
<body>
<main>
<h1>Set your password</h1>
<p>Choose a password of at least 12 characters. A passphrase of a few words is easy to remember and hard to guess.</p>
<form id="setup" novalidate>
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
<label for="confirm">Repeat it</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" required>
<button type="submit">Set password</button>
<p id="status" role="status" aria-live="polite"></p>
</form>
</main>
<script src="/setup.js" defer></script>
</body>
</html>
`

const style = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2430}
main{max-width:26rem;margin:10vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin-top:1rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;margin-top:.3rem;border:1px solid #aab;border-radius:4px;font-size:1rem}
button{margin-top:1.5rem;width:100%;padding:.7rem;border:0;border-radius:4px;background:#1f5eff;color:#fff;font-size:1rem;cursor:pointer}
#status{min-height:1.5rem;margin-top:1rem}.error{color:#b00020}.done{color:#0a7a32}
`

const script = `(function () {
  var form = document.getElementById('setup')
  var status = document.getElementById('status')
  var token = new URLSearchParams(location.hash.slice(1)).get('token')
  // Forget the token in the address bar and history as soon as it is read.
  history.replaceState(null, '', location.pathname)
  function say(text, kind) { status.textContent = text; status.className = kind }
  if (!token) { say('This link has no setup token. Ask for a new invitation.', 'error'); return }
  form.addEventListener('submit', function (event) {
    event.preventDefault()
    var password = form.password.value
    if (password.length < 12) return say('Use at least 12 characters.', 'error')
    if (password !== form.confirm.value) return say('The two passwords differ.', 'error')
    say('Saving…', '')
    fetch('/v1/auth/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: token, password: password })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) { form.reset(); say('Your password is set. You can sign in now.', 'done') }
        else say(body.detail || 'That did not work. Ask for a new invitation.', 'error')
      })
    }, function () { say('The server could not be reached. Try again.', 'error') })
  })
})()
`

export function registerSetupPage(app: App): void {
  const csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
  app.get(
    '/setup',
    { config: { access: anyone }, schema: { hide: true } },
    async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(page),
  )
  app.get(
    '/setup.js',
    { config: { access: anyone }, schema: { hide: true } },
    async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(script),
  )
  app.get(
    '/setup.css',
    { config: { access: anyone }, schema: { hide: true } },
    async (_request, reply) => reply.type('text/css; charset=utf-8').send(style),
  )
}
