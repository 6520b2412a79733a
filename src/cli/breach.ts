import type { Command } from 'commander'
import { alertView, selectAllAlerts, selectAllIncidents, viewOf } from '../breach/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

/**
 * `custodian breach list`: the breach register of every workspace with each incident's
 * 72-hour clock, and the latest alerts (the platform's own among them), for the platform
 * admin (Art. 33(5)).
 *
 * @example
 *   npx custodian breach list --json
 */
export function registerBreachCommand(program: Command): void {
  const breach = program.command('breach').description('the breach register and alerts')
  addCommonOptions(
    breach.command('list').description('incidents with their 72-hour clocks, and recent alerts'),
  ).action(async (options: CommonOptions) => {
    const result = await withCliContext(configFrom(options), async (context) => {
      const deps = context.modules.breach
      const incidents = await Promise.all(
        (await selectAllIncidents(deps.db)).map(async (row) => ({
          workspaceId: row.workspace_id,
          ...(await viewOf(deps, row)),
        })),
      )
      const alerts = (await selectAllAlerts(deps.db, 50)).map(alertView)
      return { incidents, alerts }
    })
    report(
      options,
      result,
      [
        `${String(result.incidents.length)} incidents`,
        ...result.incidents.map(
          (incident) =>
            `${incident.id}  ${incident.status}  aware ${incident.awareAt}  deadline ${incident.authorityDeadline}  clock ${incident.clock.state}  subjects ${String(incident.approxSubjects ?? '?')}`,
        ),
        `${String(result.alerts.length)} recent alerts`,
        ...result.alerts.map(
          (alert) =>
            `${alert.raisedAt}  ${alert.severity}  ${alert.rule}  ${alert.incidentId ?? ''}`,
        ),
      ].join('\n'),
    )
  })
}
