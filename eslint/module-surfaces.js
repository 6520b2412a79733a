// A module's index.ts is its public surface (STYLE.md): code outside a module imports
// it through that file only, never a file inside it, so a module can be reshaped
// without breaking another. The few seams that must reach inside are listed below.
import { dirname, relative, resolve, sep } from 'node:path'

const sourceRoot = resolve(import.meta.dirname, '..', 'src')

/** The module a file belongs to (its first folder under src/), or null at the root. */
function moduleOf(file) {
  const path = relative(sourceRoot, file)
  if (path.startsWith('..')) return undefined
  const parts = path.split(sep)
  return parts.length > 1 ? parts[0] : null
}

const asPosix = (path) => relative(sourceRoot, path).split(sep).join('/')

/** Reaching inside another module is allowed only at these seams. */
export function isAllowedSeam(importer, target) {
  const from = asPosix(importer)
  const to = asPosix(target)
  // The database type is the union of every module's tables (storage/schema.ts).
  if (from === 'storage/schema.ts' && /\.table\.js$/.test(to)) return true
  // The audit action type is the union of every module's catalogue, and the settings
  // schema of every module's fragment: through each module's index they would close an
  // import cycle (audit → module → audit).
  if (from === 'audit/audit-actions.ts' && /\.audit\.js$/.test(to)) return true
  // A module's test helpers serve tests anywhere.
  if (/\/testing\//.test(`/${to}`) && (/\.test\.ts$/.test(from) || /\/testing\//.test(`/${from}`)))
    return true
  return false
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'import another module only through its index.ts' },
    schema: [],
    messages: {
      internal:
        "'{{target}}' is inside the {{module}} module: import it from '{{module}}/index.js', its public surface",
    },
  },
  create(context) {
    const importer = context.filename
    const own = moduleOf(importer)
    if (own === undefined) return {}
    const check = (node) => {
      const source = node.source?.value
      if (typeof source !== 'string' || !source.startsWith('.')) return
      const target = resolve(dirname(importer), source)
      const module = moduleOf(target)
      if (module === undefined || module === null || module === own) return
      if (relative(resolve(sourceRoot, module), target) === 'index.js') return
      if (isAllowedSeam(importer, target)) return
      context.report({
        node: node.source,
        messageId: 'internal',
        data: { target: asPosix(target), module },
      })
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    }
  },
}

export const moduleSurfaces = { rules: { 'module-surface': rule } }
