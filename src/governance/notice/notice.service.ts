import { listPurposes } from '../../consent/index.js'
import { AppError } from '../../errors.js'
import { listSubprocessors } from '../../transfers/index.js'
import { getWorkspace, privacyNoticePath, readController } from '../../workspaces/index.js'
import { describeDataMap } from '../data-map/data-map.service.js'
import type { GovernanceDeps } from '../governance.deps.js'
import { buildNotice } from './notice.logic.js'
import type { PrivacyNotice } from './notice.schema.js'
import { type NoticeLanguage, translatorFor } from './translations.js'

/**
 * A workspace's privacy notice in one language, made now from its records. Public: it
 * is what the controller must give everyone whose data it collects (Art. 12(1), 13, 14).
 * 409 until the workspace records who it is, since a notice without the controller's
 * identity and contact details would not be one.
 */
export async function privacyNotice(
  deps: GovernanceDeps,
  workspaceId: string,
  language: NoticeLanguage,
): Promise<PrivacyNotice> {
  const workspace = await getWorkspace(deps.db, workspaceId)
  const controller = await readController(deps, workspaceId)
  if (controller === null) {
    throw new AppError(
      'conflict',
      'This workspace has not recorded who it is as a controller yet, so it has no privacy notice',
    )
  }
  const base = deps.publicUrl().replace(/\/+$/, '')
  return buildNotice(
    {
      workspaceName: workspace.name,
      controller,
      dataMap: await describeDataMap(deps, workspaceId),
      purposes: await listPurposes(deps.db, workspaceId),
      subprocessors: await listSubprocessors(deps.transfers, workspaceId),
      generatedAt: deps.clock.now().toISOString(),
      urlOf: (code) => `${base}${privacyNoticePath(workspaceId)}?lang=${code}`,
      languageNames: deps.translations.languages,
    },
    translatorFor(deps.translations, language),
  )
}
