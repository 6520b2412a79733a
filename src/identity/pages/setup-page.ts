import type { App } from '../../app.js'
import { registerPage, stylesheetPath } from './page-assets.js'
import { signInPath } from './signin-page.js'

/**
 * The page a setup link opens. The token travels in the URL fragment (`#token=…`),
 * which browsers never send to a server, so it stays out of access logs and Referer
 * headers; the page reads it, drops it from the address bar, and sends it only in
 * request bodies. On load it asks `POST /v1/auth/setup/check` whether the link still
 * works and for which workspace, so a used or expired link says so before anyone types
 * a password; then the operator chooses one (`POST /v1/auth/setup`) and is shown where
 * to sign in.
 */
export const setupPath = '/setup'

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Set your password · Custodian</title>
<link rel="stylesheet" href="${stylesheetPath}">
</head>
<body>
<main>
<h1>Set your password</h1>
<p id="invitation" hidden>You are invited to <strong id="workspace"></strong> as <strong id="role"></strong>, with the email <strong id="email"></strong>.</p>
<form id="setup" novalidate hidden>
<p>Choose a password of at least 12 characters. A passphrase of a few words is easy to remember and hard to guess.</p>
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
<label for="confirm">Repeat it</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" required>
<button type="submit">Set password</button>
</form>
<p id="status" role="status" aria-live="polite">Checking your link…</p>
<section id="done" hidden>
<p>Sign in with your email and this password. If your workspace asks for two-factor authentication, you will set it up once signed in.</p>
<a class="button" id="signin" href="${signInPath}">Sign in</a>
</section>
</main>
<script src="/setup.js" defer></script>
</body>
</html>
`

const script = `(function () {
  var form = document.getElementById('setup')
  var status = document.getElementById('status')
  var token = new URLSearchParams(location.hash.slice(1)).get('token')
  // Forget the token in the address bar and history as soon as it is read.
  history.replaceState(null, '', location.pathname)
  // Another link pasted into this tab changes only the fragment: start again with it.
  addEventListener('hashchange', function () { location.reload() })
  function say(text, kind) { status.textContent = text; status.className = kind || '' }
  function show(id, text) { document.getElementById(id).textContent = text }
  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, body: json } })
    })
  }
  function unreachable() { say('The server could not be reached. Try again.', 'error') }
  if (!token) { say('This link has no setup token. Ask for a new invitation.', 'error'); return }
  var workspaceName = ''
  post('/v1/auth/setup/check', { token: token }).then(function (answer) {
    if (!answer.ok) return say(answer.body.detail || 'This link does not work. Ask for a new invitation.', 'error')
    workspaceName = answer.body.workspace.name
    show('workspace', workspaceName)
    show('role', answer.body.role)
    show('email', answer.body.email)
    document.getElementById('invitation').hidden = false
    form.hidden = false
    say('', '')
    form.password.focus()
  }, unreachable)
  form.addEventListener('submit', function (event) {
    event.preventDefault()
    var password = form.password.value
    if (password.length < 12) return say('Use at least 12 characters.', 'error')
    if (password !== form.confirm.value) return say('The two passwords differ.', 'error')
    say('Saving…', '')
    post('/v1/auth/setup', { token: token, password: password }).then(function (answer) {
      if (!answer.ok) return say(answer.body.detail || 'That did not work. Ask for a new invitation.', 'error')
      // The password leaves the page: nothing of it stays in the form.
      form.reset()
      form.hidden = true
      token = null
      document.getElementById('invitation').hidden = true
      document.getElementById('done').hidden = false
      say('Your password for ' + workspaceName + ' is set. You can sign in now.', 'done')
    }, unreachable)
  })
})()
`

export function registerSetupPage(app: App): void {
  registerPage(app, { path: setupPath, html, scriptPath: '/setup.js', script })
}
