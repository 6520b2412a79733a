import type { App } from '../../app.js'
import { registerStylesheet } from './page-assets.js'
import { registerSetupPage } from './setup-page.js'
import { registerSignInPage } from './signin-page.js'

/** The pages people open before the console exists: setting a password, signing in. */
export function registerIdentityPages(app: App): void {
  registerStylesheet(app)
  registerSetupPage(app)
  registerSignInPage(app)
}

export { setupPath } from './setup-page.js'
export { signInPath } from './signin-page.js'
