import { anyone } from '../access.js'
import type { App } from '../../app.js'

/**
 * What the small pages served before the console (setup, sign-in) share: one stylesheet
 * and a strict Content Security Policy. Script and style come from this origin only,
 * nothing inline, so an injected tag cannot run; the pages talk to this origin's API
 * only; no form posts anywhere (scripts send JSON); no other site may frame them.
 */
export const pageCsp =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

export const stylesheetPath = '/pages.css'

const stylesheet = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2430}
main{max-width:30rem;margin:8vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}h2{font-size:1.15rem}label{display:block;margin-top:1rem;font-weight:600}
input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:.6rem;margin-top:.3rem;border:1px solid #aab;border-radius:4px;font-size:1rem}
fieldset{margin-top:1rem;border:1px solid #ccd;border-radius:4px}fieldset label{font-weight:400;margin-top:.4rem}
button,.button{display:block;box-sizing:border-box;margin-top:1.5rem;width:100%;padding:.7rem;border:0;border-radius:4px;background:#1f5eff;color:#fff;font-size:1rem;text-align:center;text-decoration:none;cursor:pointer}
button.secondary{background:#e8ebf2;color:#1d2430}
code{font:14px ui-monospace,monospace;background:#f0f2f6;padding:.1rem .3rem;border-radius:3px;word-break:break-all}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0}
.hint{color:#556;font-size:.9rem}
#status{min-height:1.5rem;margin-top:1rem}.error{color:#b00020}.done{color:#0a7a32}
`

/** Registers one page: its HTML under the CSP, and its script. */
export function registerPage(
  app: App,
  page: { path: string; html: string; scriptPath: string; script: string },
): void {
  app.get(
    page.path,
    { config: { access: anyone }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', pageCsp)
        .send(page.html),
  )
  app.get(
    page.scriptPath,
    { config: { access: anyone }, schema: { hide: true } },
    async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(page.script),
  )
}

export function registerStylesheet(app: App): void {
  app.get(
    stylesheetPath,
    { config: { access: anyone }, schema: { hide: true } },
    async (_request, reply) => reply.type('text/css; charset=utf-8').send(stylesheet),
  )
}
