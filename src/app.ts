import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import cookie from '@fastify/cookie'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import { registerAuditRoutes } from './audit/index.js'
import { registerContactRoutes } from './contacts/index.js'
import { registerConsentRoutes } from './consent/index.js'
import { AppError } from './errors.js'
import { trackRouteMethods } from './http/index.js'
import { registerJsonBodies } from './http/index.js'
import { answerClientError, answerFrameworkError } from './http/index.js'
import { securityHeaders } from './http/index.js'
import { registerOpenApi } from './http/index.js'
import { sendProblem, toAppError } from './http/index.js'
import { createValidatorCompiler, serializerOptions } from './http/index.js'
import { registerSystemRoutes } from './system.routes.js'
import {
  createPublicKeyLimiter,
  enforceDeclaredAccess,
  platformAdmin,
  securitySchemes,
} from './identity/index.js'
import { registerAuthentication } from './identity/index.js'
import { registerIdentityRoutes } from './identity/index.js'
import { registerOperatorRoutes } from './identity/index.js'
import { registerIdentityPages } from './identity/index.js'
import type { Modules } from './modules.js'
import { registerBrowserCors, registerTrackingRoutes } from './tracking/index.js'
import { registerWorkspaceRoutes } from './workspaces/index.js'
import { registerRightsRoutes } from './rights/index.js'
import { registerTransferRoutes } from './transfers/index.js'
import { backupMetricLines, registerBackupRoutes } from './backup/index.js'
import { registerGovernanceRoutes } from './governance/index.js'
import { registerSigningRoutes } from './signing/index.js'
import { registerInboxRoutes } from './inbox/index.js'
import { registerDrpRoutes } from './drp/index.js'
import { registerBreachRoutes } from './breach/index.js'

/** Everything the HTTP app needs, passed in: no module reaches for a singleton. */
export interface AppDeps {
  /** Every module's dependencies, from createModules; whoever made them closes them. */
  modules: Modules
  /** PEM key and certificate: the app then speaks HTTPS only and sends HSTS. */
  tls?: { key: Buffer; cert: Buffer }
}

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/**
 * Slow clients may not hold a connection open forever (a slow-loris attack): a request
 * must arrive whole within 30 s and a socket may idle 60 s. An idle keep-alive
 * connection lasts 72 s, longer than the 60 s idle timeout of common load balancers,
 * so a balancer never reuses a connection the server has just closed.
 */
export const serverTimeouts = Object.freeze({
  requestMs: 30_000,
  socketIdleMs: 60_000,
  keepAliveMs: 72_000,
})

function applyTimeouts(server: Server): void {
  server.requestTimeout = serverTimeouts.requestMs
  server.keepAliveTimeout = serverTimeouts.keepAliveMs
  server.setTimeout(serverTimeouts.socketIdleMs)
}

const requestIdPattern = /^[A-Za-z0-9._:-]{8,64}$/

/**
 * Builds the HTTP app and never listens: tests call `app.inject()` in-process, `main.ts`
 * listens. Each module adds its routes here, one `register…Routes` call per module.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { modules } = deps
  const { config } = modules.core
  const logger: FastifyBaseLogger = modules.core.logger
  const tls = deps.tls
  const headers = securityHeaders({ tls: tls !== undefined })
  const app: App = Fastify({
    loggerInstance: logger,
    // With a server factory Fastify applies none of its timeouts: the factory does.
    serverFactory: (handler) => {
      const server = tls
        ? createTlsServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, handler)
        : createServer(handler)
      applyTimeouts(server)
      return server
    },
    // One line per request, written by the onResponse hook below without URL or IP.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'requestId',
    }),
    bodyLimit: config.bodyLimitBytes,
    serializerOpts: serializerOptions(),
    // X-Forwarded-For counts only from the proxies named in CUSTODIAN_TRUST_PROXY.
    ...(config.trustProxy === undefined
      ? {}
      : { trustProxy: config.trustProxy.split(',').map((entry) => entry.trim()) }),
    requestIdHeader: false,
    // A caller's request id is kept when it is plain, so traces join up across services.
    genReqId: (request) => {
      const offered = request.headers['x-request-id']
      return typeof offered === 'string' && requestIdPattern.test(offered) ? offered : randomUUID()
    },
    // The framework's and Node's own refusals keep the error contract too.
    frameworkErrors: (error, request, reply) => {
      answerFrameworkError(error, request, reply, headers)
    },
    clientErrorHandler: (error, socket) =>
      answerClientError(error, socket, headers, modules.core.logger),
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setValidatorCompiler(createValidatorCompiler())
  registerJsonBodies(app)
  const methodIndex = trackRouteMethods(app)
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers).header('x-request-id', request.id)
  })
  enforceDeclaredAccess(app, {
    publicKeyLimiter: createPublicKeyLimiter({
      perSecond: config.publicKeyRate,
      burst: config.publicKeyBurst,
    }),
  })
  await registerOpenApi(app, modules.core.publicUrl, securitySchemes)
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: request.routeOptions.url ?? '(unmatched)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    )
  })

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error)
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed')
    return sendProblem(appError, request, reply)
  })
  app.setNotFoundHandler((request, reply) => {
    const allowed = methodIndex.allowedMethods(request.method, request.url)
    const appError =
      allowed.length > 0
        ? new AppError('method_not_allowed', `Use one of: ${allowed.join(', ')}`, {
            headers: { allow: allowed.join(', ') },
          })
        : new AppError('not_found', 'No resource at this path')
    return sendProblem(appError, request, reply)
  })

  await app.register(cookie)
  registerAuthentication(app, modules.identity)

  // Before the routes: the SDK's routes answer cross-origin (tracking/browser-cors.ts).
  registerBrowserCors(app)
  registerSystemRoutes(app, modules.core.storage.db, [() => backupMetricLines(modules.backup)])
  registerBackupRoutes(app, modules.backup, platformAdmin(config.adminToken))
  registerIdentityRoutes(app, modules.identity)
  registerIdentityPages(app)
  registerOperatorRoutes(app, modules.identity)
  registerWorkspaceRoutes(app, modules.workspaces)
  registerAuditRoutes(app, modules.audit)
  registerContactRoutes(app, modules.contacts)
  registerConsentRoutes(app, modules.consent)
  await registerTrackingRoutes(app, modules.tracking)
  registerRightsRoutes(app, modules.rights)
  registerTransferRoutes(app, modules.transfers)
  registerGovernanceRoutes(app, modules.governance)
  registerSigningRoutes(app, modules.signing)
  registerInboxRoutes(app, modules.inbox)
  await registerDrpRoutes(app, modules.drp)
  registerBreachRoutes(app, modules.breach)
  return app
}
