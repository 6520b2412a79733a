import { isIP } from 'node:net'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { App } from '../app.js'
import { auditContextOf } from '../identity/index.js'
import { AppError } from '../errors.js'
import { requires } from '../identity/index.js'
import { principalOf } from '../identity/index.js'
import { actorOf, type Principal } from '../identity/index.js'
import { getWorkspace } from '../workspaces/index.js'
import receiptSchema from './consent-receipt.schema.json' with { type: 'json' }
import type { ConsentDeps, ConsentWorkspace, LedgerContext } from './consent.deps.js'
import { consentSettings } from './consent.settings.js'
import {
  AgeBody,
  ConsentBody,
  ConsentQuery,
  ConsentsViewSchema,
  DecisionQuery,
  DecisionSchema,
  ParentalBody,
  ReceiptParams,
  ReceiptQuery,
  RecordedConsentSchema,
  SignalRecordedSchema,
} from './consent.schemas.js'
import { identifierOf, type SubjectIdentifier } from '../subjects/index.js'
import type { ConsentSource } from './ledger.logic.js'
import type { LedgerWriteResult } from './ledger.service.js'
import { mayProcess } from './may-process.js'
import { registerCatalogueRoutes } from './catalogue.routes.js'
import { readConsents } from './read-consents.js'
import type { ConsentReceipt } from './receipt.logic.js'
import { getReceipt, getSignedReceipt } from './receipts.js'
import { recordConsent } from './record-consent.js'
import { declareAge, recordParentalConsent } from './record-signals.js'
import { flagsViewOf } from './views.logic.js'

export type ConsentRouteDeps = ConsentDeps

// The receipt's JSON Schema is kept as a file (tests validate receipts against it);
// served as the response schema without its draft and id, which OpenAPI 3.1 sets.
const receiptResponse = Type.Unsafe<ConsentReceipt>(
  Object.fromEntries(Object.entries(receiptSchema).filter(([key]) => !key.startsWith('$'))),
)

/**
 * The consent API. The browser SDK (public key) may record and read the choices of its
 * own anonymous id, declare an age and download its receipts; it can never name an
 * email or external id, so a key that is public by design cannot be used to grant or
 * withdraw anyone's consent by address. Everything else needs the secret key or an
 * operator. Authorisation runs before validation, so a caller without the right learns
 * nothing about what a valid request would look like.
 */
export function registerConsentRoutes(app: App, deps: ConsentRouteDeps): void {
  const tags = ['consent']
  const sdkMayRecord = { config: { access: requires('consent:manage', { publicKey: true }) } }
  const sdkMayRead = { config: { access: requires('personal-data:read', { publicKey: true }) } }

  app.post(
    '/v1/consents',
    {
      ...sdkMayRecord,
      schema: {
        tags,
        summary: 'Grant or withdraw consent to a purpose (or object, on legitimate interests)',
        description:
          'Withdrawing takes effect at once. A `Sec-GPC: 1` header (or globalPrivacyControl: true) is recorded as an objection to direct marketing and profiling.',
        body: ConsentBody,
        response: { 201: RecordedConsentSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const subject = subjectFor(principal, identifierOf(request.body, 'body'))
      if (principal.kind === 'public-key' && request.body.proof !== undefined) {
        throw new AppError('invalid_request', "The SDK's proof is taken from its own request", {
          errors: [{ in: 'body', field: 'proof', message: 'is for the secret key only' }],
        })
      }
      const gpc = request.headers['sec-gpc'] === '1' ? true : request.body.globalPrivacyControl
      const recorded = await recordConsent(deps, {
        workspace: await getWorkspace(deps.db, principal.workspaceId),
        subject,
        purpose: request.body.purpose,
        granted: request.body.granted,
        ...(request.body.policyVersion === undefined
          ? {}
          : { policyVersion: request.body.policyVersion }),
        ...(gpc === undefined ? {} : { globalPrivacyControl: gpc }),
        context: ledgerContextOf(request, principal, request.body.proof),
      })
      return reply.code(201).send({ ...recorded, receiptId: recorded.event.id })
    },
  )

  app.get(
    '/v1/consents',
    {
      ...sdkMayRead,
      schema: {
        tags,
        summary: 'Current state per purpose and the history with its proof',
        description:
          'The public key reads only its own anonymousId, without the proof; the secret key and operators see the proof (IP, user agent, evidence) opened, and the read is audited.',
        querystring: ConsentQuery,
        response: { 200: ConsentsViewSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const subject = subjectFor(principal, identifierOf(request.query, 'querystring'))
      const { ip, requestId } = auditContextOf(request)
      return readConsents(deps, {
        workspace: await getWorkspace(deps.db, principal.workspaceId),
        subject,
        includeProof: principal.kind !== 'public-key',
        historyLimit: request.query.historyLimit ?? 100,
        reader: { actor: actorOf(principal), requestId, ip },
      })
    },
  )

  app.get(
    '/v1/consents/receipts/:id',
    {
      ...sdkMayRead,
      schema: {
        tags,
        summary: 'Download the consent receipt of one choice (Kantara Consent Receipt v1.1)',
        description:
          'The id is the receiptId of POST /v1/consents or of a history entry. The public key must name its own anonymousId. With `Accept: application/jose` the answer is the receipt as a compact JWS (EdDSA, Ed25519) under the workspace signing key, verifiable with `GET /v1/workspaces/{id}/jwks.json`. 409 until the workspace records its controller (PATCH /v1/workspace).',
        params: ReceiptParams,
        querystring: ReceiptQuery,
        response: {
          200: {
            description: 'The receipt, as JSON or as its compact JWS',
            content: {
              'application/json': { schema: receiptResponse },
              'application/jose': {
                schema: Type.String({
                  pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
                }),
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { anonymousId } = request.query
      if (principal.kind === 'public-key' && anonymousId === undefined) {
        throw new AppError('invalid_request', 'Name the anonymousId the receipt belongs to', {
          errors: [{ in: 'querystring', field: 'anonymousId', message: 'is required' }],
        })
      }
      const { ip, requestId } = auditContextOf(request)
      const receiptRequest = {
        workspaceId: principal.workspaceId,
        receiptId: request.params.id,
        ...(anonymousId === undefined ? {} : { owner: { anonymousId } }),
        reader: { actor: actorOf(principal), requestId, ip },
      }
      if (wantsJose(request.headers.accept)) {
        const signed = await getSignedReceipt(deps, receiptRequest)
        return reply
          .type('application/jose')
          .header(
            'content-disposition',
            `attachment; filename="consent-receipt-${signed.receipt.consentReceiptID}.jws"`,
          )
          .send(signed.jws)
      }
      const receipt = await getReceipt(deps, receiptRequest)
      return reply
        .header(
          'content-disposition',
          `attachment; filename="consent-receipt-${receipt.consentReceiptID}.json"`,
        )
        .send(receipt)
    },
  )

  app.get(
    '/v1/consents/decision',
    {
      config: { access: requires('personal-data:read') },
      schema: {
        tags,
        summary: 'May this purpose process this subject now? (a refusal is audited)',
        querystring: DecisionQuery,
        response: { 200: DecisionSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const { requestId } = auditContextOf(request)
      return mayProcess(deps, {
        workspace: await getWorkspace(deps.db, principal.workspaceId),
        subject: identifierOf(request.query, 'querystring'),
        purpose: request.query.purpose,
        now: deps.clock.now(),
        actor: actorOf(principal),
        requestId,
      })
    },
  )

  app.post(
    '/v1/consents/age',
    {
      ...sdkMayRecord,
      schema: {
        tags,
        summary: 'Record the age an end-user declared (Art. 8)',
        description:
          'Exactly one of age or birthDate. Through the public key an age can be lowered, never raised.',
        body: AgeBody,
        response: { 201: SignalRecordedSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const subject = subjectFor(principal, identifierOf(request.body, 'body'))
      const { age, birthDate } = request.body
      if ((age === undefined) === (birthDate === undefined)) {
        throw new AppError('invalid_request', 'Give exactly one of age or birthDate', {
          errors: [{ in: 'body', field: 'age', message: 'give age or birthDate, not both' }],
        })
      }
      const workspace = await getWorkspace(deps.db, principal.workspaceId)
      const written = await declareAge(deps, {
        workspaceId: principal.workspaceId,
        subject,
        declaration: age === undefined ? { birthDate: birthDate ?? '' } : { age },
        context: ledgerContextOf(request, principal),
      })
      return reply.code(201).send(signalResponse(written, workspace, deps))
    },
  )

  app.post(
    '/v1/consents/parental',
    {
      config: { access: requires('consent:manage') },
      schema: {
        tags,
        summary: "Record (or withdraw) a parent's verified consent for a child (Art. 8(1)–(2))",
        body: ParentalBody,
        response: { 201: SignalRecordedSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const workspace = await getWorkspace(deps.db, principal.workspaceId)
      const written = await recordParentalConsent(deps, {
        workspaceId: principal.workspaceId,
        subject: identifierOf(request.body, 'body'),
        verified: request.body.verified,
        ...(request.body.method === undefined ? {} : { method: request.body.method }),
        ...(request.body.reference === undefined ? {} : { reference: request.body.reference }),
        context: ledgerContextOf(request, principal),
      })
      return reply.code(201).send(signalResponse(written, workspace, deps))
    },
  )

  registerCatalogueRoutes(app, deps)
}

/** The public key speaks for the browser's own anonymous id and no one else. */
function subjectFor(principal: Principal, identifier: SubjectIdentifier): SubjectIdentifier {
  if (principal.kind === 'public-key' && !('anonymousId' in identifier)) {
    throw new AppError(
      'forbidden',
      'The public key may only name the browser’s own anonymousId; use the secret key for externalId or email',
    )
  }
  return identifier
}

function sourceOf(principal: Principal): ConsentSource {
  if (principal.kind === 'public-key') return 'sdk'
  if (principal.kind === 'secret-key') return 'api'
  return 'operator'
}

/**
 * The proof of a ledger entry. For the SDK it is the browser's own request; for a
 * server it is what that server relays about its end-user (its own address is not the
 * person's), and for an operator only what they enter.
 */
function ledgerContextOf(
  request: FastifyRequest,
  principal: Principal,
  relayed?: { ip?: string | undefined; userAgent?: string | undefined },
): LedgerContext {
  const { ip: callerIp, requestId } = auditContextOf(request)
  const base = { source: sourceOf(principal), actor: actorOf(principal), requestId, callerIp }
  if (principal.kind === 'public-key') {
    const userAgent = request.headers['user-agent']
    return { ...base, ip: callerIp, userAgent: typeof userAgent === 'string' ? userAgent : null }
  }
  if (relayed?.ip !== undefined && isIP(relayed.ip) === 0) {
    throw new AppError('invalid_request', 'proof.ip is not an IP address', {
      errors: [{ in: 'body', field: 'proof.ip', message: 'is not an IP address' }],
    })
  }
  return { ...base, ip: relayed?.ip ?? null, userAgent: relayed?.userAgent ?? null }
}

function signalResponse(
  written: LedgerWriteResult,
  workspace: ConsentWorkspace,
  deps: ConsentDeps,
) {
  const { ageOfDigitalConsent } = consentSettings.read(workspace.settings)
  return {
    subjectId: written.subjectId,
    events: written.events,
    flags: flagsViewOf(written.standing.flags, ageOfDigitalConsent, deps.clock.now()),
  }
}

/** Whether the client asked for the compact JWS (RFC 7515 §9.2.1) rather than the JSON. */
function wantsJose(accept: string | undefined): boolean {
  if (accept === undefined) return false
  return accept
    .split(',')
    .map((range) => range.split(';')[0]?.trim().toLowerCase())
    .includes('application/jose')
}
