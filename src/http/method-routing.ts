import findMyWay, { type HTTPMethod } from 'find-my-way'
import type { App } from '../app.js'

/**
 * Fastify answers 404 for a known path asked with the wrong method; HTTP says 405 with
 * an `Allow` header. This keeps a second router of every registered path so the
 * not-found handler can tell the two apart.
 */
export interface MethodIndex {
  allowedMethods(method: string, url: string): string[]
}

const methods: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

export function trackRouteMethods(app: App): MethodIndex {
  const router = findMyWay({ ignoreTrailingSlash: false })
  app.addHook('onRoute', (route) => {
    const routeMethods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of routeMethods) {
      if (!methods.includes(method as HTTPMethod)) continue
      if (router.hasRoute(method as HTTPMethod, route.url)) continue
      router.on(method as HTTPMethod, route.url, () => {})
    }
  })
  return {
    allowedMethods(method, url) {
      const path = url.split('?')[0] ?? url
      return methods.filter((candidate) => candidate !== method && router.find(candidate, path))
    },
  }
}
