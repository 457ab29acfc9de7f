import { once } from 'node:events'
import { startDashboard } from '../../server/serve.js'
import { EXIT } from '../exit-codes.js'

/** `rollout serve`: the dashboard until Ctrl-C. A token made here is printed once, in the sign-in address. */
export async function serveCommand(o: { configPath?: string; port: number; host: string }): Promise<number> {
  const token = process.env.ROLLOUT_DASHBOARD_TOKEN || undefined
  const running = await startDashboard({ source: o.configPath ? { configPath: o.configPath } : {}, port: o.port, host: o.host, ...(token ? { token } : {}) })
  process.stdout.write(`Dashboard: ${running.url}\n`)
  if (running.generatedToken) process.stdout.write(`Sign in once at ${running.url}login?token=${running.token} (this token is not shown again; set ROLLOUT_DASHBOARD_TOKEN to choose your own)\n`)
  else if (running.token) process.stdout.write(`Sign in once at ${running.url}login?token=<ROLLOUT_DASHBOARD_TOKEN>\n`)
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
  await running.close()
  return EXIT.ok
}
