/**
 * The site supervisor, a detached process per site root: `node supervisor.js --root R --port P --host H`.
 * It owns the public port and the app processes, and takes requests on the root's control socket.
 * Its output (this file's log lines) goes to <root>/shared/logs/supervisor.log.
 */
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ask, serveControl } from './control.js'
import { siteLayout } from './layout.js'
import { Site } from './site.js'

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`)

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { root: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } } })
  if (!values.root || !values.port || !values.host) throw new Error('usage: supervisor --root <dir> --port <port> --host <host>')
  const layout = siteLayout(values.root)

  // One supervisor per root: a second one started by a race leaves the first in charge.
  if (await ask(layout.socket, { op: 'status' }, 5000).catch(() => null)) {
    log(`a supervisor already answers on ${layout.socket}: leaving it in charge`)
    return
  }
  rmSync(layout.socket, { force: true })

  const site = new Site(layout, log)
  await site.start(values.host, Number(values.port))
  let control: Awaited<ReturnType<typeof serveControl>> | undefined
  const shutdown = async (why: string) => {
    log(`${why}: stopping`)
    await site.stop()
    control?.close()
    rmSync(layout.socket, { force: true })
    log('stopped')
    process.exit(0)
  }
  control = await serveControl(layout.socket, async (request) => {
    const answer = await site.handle(request)
    // The answer to a stop goes out first; the process ends right after.
    if (request.op === 'stop') setImmediate(() => void shutdown('asked to stop'))
    return answer
  })
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGHUP', () => {})
  // One bad connection must not take the site down with it: logged, and serving goes on.
  process.on('uncaughtException', (error) => log(`unexpected error: ${error.stack ?? error.message}`))
  log(`supervisor ${process.pid} ready on ${layout.socket}`)
}

main().catch((error: Error) => {
  log(`supervisor failed: ${error.message}`)
  process.exit(1)
})
