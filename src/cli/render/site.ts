import type { SiteReport } from '../../app/site.js'
import type { Style } from './style.js'

export function renderSiteStatus(r: SiteReport, style: Style): string {
  const lines = [`site of ${style.bold(r.environment)}: ${r.root}`]
  if (!r.running) lines.push(`  supervisor  ${style.yellow('not running')}`)
  else {
    lines.push(`  supervisor  ${style.green('running')} (pid ${r.supervisorPid})`)
    if (r.listening) lines.push(`  serving     ${r.listening.host}:${r.listening.port} ${r.listening.tls ? '(TLS terminated here)' : '(TCP, TLS passed through)'}`)
  }
  const c = r.current
  lines.push(`  current     ${c ? `${c.id} (release ${c.release ?? '?'})` : 'none'}`)
  if (c && r.running) lines.push(`  app         ${c.pid ? `pid ${c.pid}, internal port ${c.port}` : style.yellow('not running')}${c.restarts ? `, restarted ${c.restarts}×` : ''}`)
  if (r.leftoverApp) lines.push(`  app         ${style.yellow(`pid ${r.leftoverApp.pid} (${r.leftoverApp.deploymentId}) left running by a supervisor that is gone`)}: \`rollout site stop ${r.environment}\` stops it`)
  if (r.health) lines.push(`  health      ${r.health.ok ? style.green(r.health.answer) : style.red(r.health.reason)}`)
  return lines.join('\n')
}
