import { Type } from 'typebox'
import type { App } from '../../app.js'
import { anyone, IdParams } from '../../identity/index.js'
import type { GovernanceDeps } from '../governance.deps.js'
import { noticeHtml } from './notice.html.js'
import { PrivacyNoticeSchema } from './notice.schema.js'
import { privacyNotice } from './notice.service.js'
import { chooseLanguage, noticeLanguages } from './translations.js'

const LanguageQuery = Type.Object(
  {
    lang: Type.Optional(
      Type.Enum(noticeLanguages, {
        description: 'The language; else the first of Accept-Language it speaks; else English',
      }),
    ),
  },
  { additionalProperties: false },
)

/**
 * The privacy notice at public URLs (Art. 12(1): concise, transparent, easily
 * accessible): `GET /v1/workspaces/{id}/privacy-notice.html` and `.json`, in English
 * and German (`?lang=`, or the browser's Accept-Language).
 */
export function registerNoticeRoutes(app: App, deps: GovernanceDeps): void {
  const schema = {
    tags: ['governance'],
    params: IdParams,
    querystring: LanguageQuery,
  }
  app.get(
    '/v1/workspaces/:id/privacy-notice.json',
    {
      config: { access: anyone },
      schema: {
        ...schema,
        summary: "The workspace's privacy notice (Art. 13/14), as JSON",
        response: { 200: PrivacyNoticeSchema },
      },
    },
    async (request, reply) => {
      const language = chooseLanguage(request.query.lang, request.headers['accept-language'])
      const notice = await privacyNotice(deps, request.params.id, language)
      return reply
        .header('content-language', language)
        .header('vary', 'accept-language')
        .send(notice)
    },
  )

  app.get(
    '/v1/workspaces/:id/privacy-notice.html',
    {
      config: { access: anyone },
      schema: {
        ...schema,
        summary: "The workspace's privacy notice (Art. 13/14), as a page",
        response: { 200: { content: { 'text/html': { schema: Type.String() } } } },
      },
    },
    async (request, reply) => {
      const language = chooseLanguage(request.query.lang, request.headers['accept-language'])
      const notice = await privacyNotice(deps, request.params.id, language)
      return reply
        .type('text/html; charset=utf-8')
        .header('content-language', language)
        .header('vary', 'accept-language')
        .send(noticeHtml(notice))
    },
  )
}
