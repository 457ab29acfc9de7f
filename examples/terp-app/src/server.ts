import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { createApp } from './app.js'
import { openDatabase } from './db/connection.js'
import { createLogger } from './log.js'
import { readRelease } from './release.js'
import { readSettings, SettingsError } from './settings.js'

/**
 * Starts the app from its environment (see settings.ts) in its release folder. HTTPS when
 * TLS_CERT_FILE and TLS_KEY_FILE are set. SIGTERM/SIGINT: stop accepting, finish what is in
 * flight, close the pool, exit 0.
 */
async function main(): Promise<void> {
  let settings
  try {
    settings = readSettings(process.env)
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error
    process.stderr.write(`terp-app: ${error.message}\n`)
    process.exit(2)
  }
  const log = createLogger(settings.logFile)
  const release = readRelease()
  process.on('uncaughtException', (error) => {
    log('error', `uncaught exception: ${error.message}`, { stack: error.stack })
    process.exit(1)
  })
  process.on('unhandledRejection', (reason) => log('error', `unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`))
  if (settings.sessionSecretGenerated) log('warn', 'SESSION_SECRET is not set: using a random one, so sessions end when the app restarts')

  const database = openDatabase(settings.databaseUrl)
  const secure = Boolean(settings.tls)
  const app = createApp({ database, release, log, sessionSecret: settings.sessionSecret, allowedHosts: settings.allowedHosts, secure })
  const server = settings.tls ? https.createServer({ cert: readFileSync(settings.tls.certFile), key: readFileSync(settings.tls.keyFile) }, app) : http.createServer(app)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(settings.port, settings.host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : settings.port
  const url = `${secure ? 'https' : 'http'}://${settings.host}:${port}`
  log('info', 'listening', { url, release: release.id, features: release.features })
  process.stdout.write(`terp-app ${release.id} listening on ${url}\n`)

  const stop = (signal: string) => {
    log('info', 'stopping', { signal })
    server.close(() => void database.close().then(() => process.exit(0)))
    server.closeIdleConnections()
    // Requests still running after 5 s are cut off rather than holding the exit.
    setTimeout(() => server.closeAllConnections(), 5000).unref()
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

main().catch((error: Error) => {
  process.stderr.write(`terp-app: ${error.message}\n`)
  process.exit(1)
})
