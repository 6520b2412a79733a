import type { App } from '../../app.js'
import { registerPage, stylesheetPath } from './page-assets.js'

/**
 * A small sign-in page until the console exists: email and password, then a TOTP or
 * recovery code when the account has two-factor authentication, then a choice of
 * workspace when the password opens several. Signed in, it says who the operator is,
 * in which workspace, where the API and its OpenAPI document are, and how a browser
 * script uses the session (the CSRF token). Every text from the server is set with
 * `textContent`, never parsed as HTML.
 */
export const signInPath = '/signin'

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sign in · Custodian</title>
<link rel="stylesheet" href="${stylesheetPath}">
</head>
<body>
<main>
<h1>Sign in to Custodian</h1>
<form id="signin" novalidate>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<fieldset id="choose" hidden>
<legend>This password opens accounts in several workspaces. Choose one:</legend>
<div id="workspaces"></div>
</fieldset>
<div id="second-factor" hidden>
<label for="code">Code from your authenticator app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="64">
<label class="hint"><input id="recovery" name="recovery" type="checkbox"> This is a recovery code (for a lost device; each works once)</label>
</div>
<button type="submit">Sign in</button>
</form>
<p id="status" role="status" aria-live="polite"></p>
<section id="signed-in" hidden>
<h2>You are signed in</h2>
<dl>
<dt>Operator</dt><dd id="who"></dd>
<dt>Role</dt><dd id="role"></dd>
<dt>Workspace</dt><dd><span id="workspace"></span><br><code id="workspace-id"></code></dd>
<dt>Session ends</dt><dd id="expires"></dd>
</dl>
<h2>Using the API</h2>
<p>The REST API is at <code id="api-url"></code>. Its OpenAPI document, which lists every operation, is at <a id="docs" href="/v1/openapi.json"><code>/v1/openapi.json</code></a>.</p>
<p>This browser now holds your session in a cookie that scripts cannot read, and sends it with every request to this origin. A script on this origin that changes something (POST, PATCH or DELETE) must also send this session's CSRF token in the <code>X-CSRF-Token</code> header; reads need none:</p>
<p><code id="csrf"></code></p>
<p class="hint">Servers use a workspace API key instead of a session: <code>Authorization: Bearer &lt;secret key&gt;</code>.</p>
<button id="signout" type="button" class="secondary">Sign out</button>
</section>
</main>
<script src="/signin.js" defer></script>
</body>
</html>
`

const script = `(function () {
  var form = document.getElementById('signin')
  var status = document.getElementById('status')
  var choose = document.getElementById('choose')
  var secondFactor = document.getElementById('second-factor')
  var csrfToken = null
  function say(text, kind) { status.textContent = text; status.className = kind || '' }
  function show(id, text) { document.getElementById(id).textContent = text }
  function unreachable() { say('The server could not be reached. Try again.', 'error') }
  function chosenWorkspace() {
    var picked = form.querySelector('input[name=workspace]:checked')
    return picked ? picked.value : null
  }
  function offer(workspaces) {
    var list = document.getElementById('workspaces')
    list.textContent = ''
    workspaces.forEach(function (workspace, index) {
      var label = document.createElement('label')
      var radio = document.createElement('input')
      radio.type = 'radio'
      radio.name = 'workspace'
      radio.value = workspace.id
      radio.checked = index === 0
      label.appendChild(radio)
      label.appendChild(document.createTextNode(' ' + workspace.name))
      list.appendChild(label)
    })
    choose.hidden = false
    say('Choose the workspace to sign in to, then sign in again.', '')
  }
  function signedIn(session) {
    csrfToken = session.csrfToken
    // The password is not kept anywhere on the page once it has done its work.
    form.reset()
    form.hidden = true
    choose.hidden = true
    secondFactor.hidden = true
    show('who', session.operator.email)
    show('role', session.operator.role)
    show('workspace', session.workspace.name)
    show('workspace-id', session.workspace.id)
    show('expires', new Date(session.expiresAt).toLocaleString())
    show('api-url', location.origin + '/v1')
    show('csrf', session.csrfToken)
    document.getElementById('signed-in').hidden = false
    say('', 'done')
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault()
    var body = { email: form.email.value.trim(), password: form.password.value }
    if (!body.email || !body.password) return say('Enter your email and password.', 'error')
    var workspaceId = chosenWorkspace()
    if (workspaceId) body.workspaceId = workspaceId
    var code = form.code.value.trim()
    if (!secondFactor.hidden && code) {
      if (form.recovery.checked) body.recoveryCode = code
      else body.totpCode = code
    }
    say('Signing in…', '')
    fetch('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.ok && answer.workspaces) return offer(answer.workspaces)
        if (response.ok) return signedIn(answer)
        form.code.value = ''
        if (answer.code === 'two_factor_required') {
          secondFactor.hidden = false
          form.code.focus()
          return say('Enter the code from your authenticator app.', '')
        }
        say(answer.detail || 'That did not work. Try again.', 'error')
      })
    }, unreachable)
  })
  document.getElementById('signout').addEventListener('click', function () {
    fetch('/v1/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrfToken } }).then(
      function (response) {
        if (!response.ok) return say('Signing out did not work. Close the browser to end the session.', 'error')
        csrfToken = null
        document.getElementById('signed-in').hidden = true
        form.hidden = false
        say('You are signed out.', 'done')
      },
      unreachable
    )
  })
})()
`

export function registerSignInPage(app: App): void {
  registerPage(app, { path: signInPath, html, scriptPath: '/signin.js', script })
}
