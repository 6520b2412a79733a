/** The command line's context, for tests that build one on a core of their own. */
export { cliContextOn, type CliContext } from './context.js'
export { openRestoreTarget, signingKeyBeside, targetModulesOpener } from './backup.js'
