import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCommand } from '../../adapters/process/run-command.js'
import { freePort } from '../../adapters/net/free-port.js'
import { ensureMysqlServer, type MysqlServer } from '../../sandbox/mysql-server.js'
import { ensureCertificates } from '../../sandbox/tls.js'
import { prepareDemoDatabase, type DemoDatabase } from './database.js'
import { demoConfigText } from './config-file.js'

export const DEMO_HOST = 'staging.terp-app.local'
export const DEMO_RELEASES = ['v1', 'v2', 'v3-broken'] as const

/** The project's own folder (the package root): where examples/ and node_modules/ are. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

export interface SandboxPaths {
  dir: string
  tls: string
  build: string
  site: string
  mysql: string
}

export function sandboxPaths(dir: string): SandboxPaths {
  return { dir, tls: path.join(dir, 'tls'), build: path.join(dir, 'build'), site: path.join(dir, 'site'), mysql: path.join(dir, 'mysql') }
}

export interface Sandbox {
  paths: SandboxPaths
  url: string
  port: number
  caFile: string
  server: MysqlServer
  database: DemoDatabase
}

interface Say {
  (line: string): void
}

/**
 * Everything the demo's staging environment needs, under `dir`: certificates for the staging name,
 * a MySQL server and a fresh database with its own user, the three releases built, the database
 * migrated to v1 and seeded, and a rollout.config.ts with its .env. Nothing is deployed yet.
 */
export async function prepareSandbox(dir: string, opts: { say: Say; signal: AbortSignal; monitorWindow: string; inbox: { webhookUrl: string; smtpPort: number } }): Promise<Sandbox> {
  const paths = sandboxPaths(dir)
  mkdirSync(dir, { recursive: true, mode: 0o700 })

  const certs = ensureCertificates({ dir: paths.tls, hosts: [DEMO_HOST] })
  opts.say(`certificates: ${certs.made.length ? 'made' : 'reused'} a local CA and a certificate for ${DEMO_HOST} (${paths.tls})`)

  const server = await ensureMysqlServer({ stateDir: paths.mysql, log: (l) => opts.say(`mysql: ${l}`) })
  opts.say(`database server: ${describeServer(server)}`)
  const database = await prepareDemoDatabase(server.url, demoDatabaseName(dir))
  opts.say(`database: ${database.database} with its own user ${database.user} (password in ${path.join(dir, '.env')}, never printed)`)

  rmSync(paths.build, { recursive: true, force: true })
  for (const release of DEMO_RELEASES) {
    const out = path.join(paths.build, release)
    await inProject([process.execPath, '--import', 'tsx', 'examples/terp-app/build.ts', release, out], opts.signal, `build release ${release}`)
    // The release's packages are the project's own, shared as a Capistrano deploy shares them.
    if (!existsSync(path.join(out, 'node_modules'))) symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(out, 'node_modules'), 'dir')
  }
  opts.say(`releases built: ${DEMO_RELEASES.join(', ')} (${paths.build})`)

  const v1 = path.join(paths.build, 'v1')
  const dbEnv = { DATABASE_URL: database.url }
  await inFolder(v1, [process.execPath, '--import', 'tsx', 'src/migrate.ts'], dbEnv, opts.signal, 'migrate the database to v1')
  const seeded = await inFolder(v1, [process.execPath, '--import', 'tsx', 'src/seed.ts'], dbEnv, opts.signal, 'seed the database')
  opts.say(`database seeded: ${lastLine(seeded) || 'done'}`)

  const port = await freePort()
  // SMOKE_PASSWORD: the example seed's shared password, the account the smoke tests log in as.
  writeFileSync(path.join(dir, '.env'), `DATABASE_URL=${database.url}\nSESSION_SECRET=${randomBytes(24).toString('base64url')}\nWEBHOOK_SECRET=${randomBytes(24).toString('base64url')}\nSMOKE_PASSWORD=password\n`, { mode: 0o600 })
  writeFileSync(path.join(dir, 'rollout.config.ts'), demoConfigText({ host: DEMO_HOST, port, caFile: certs.caFile, certFile: certs.certFile, keyFile: certs.keyFile, monitorWindow: opts.monitorWindow, ...opts.inbox }))
  return { paths, url: `https://${DEMO_HOST}:${port}`, port, caFile: certs.caFile, server, database }
}

/** One database per demo folder, so two demos (or the demo's test) on one server never meet. */
export function demoDatabaseName(dir: string): string {
  return `terp_staging_${createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 6)}`
}

function describeServer(server: MysqlServer): string {
  const where = server.url.replace(/^mysql:\/\/[^@]*@/, '')
  if (server.source === 'env') return `${where} (from ROLLOUT_MYSQL_URL)`
  if (server.source === 'default-port') return `${where} (this machine's server)`
  return `${where} (a private server${server.started ? ' started' : ''} for the demo, pid ${server.pid})`
}

async function inProject(argv: string[], signal: AbortSignal, what: string): Promise<string> {
  return inFolder(PROJECT_ROOT, argv, {}, signal, what)
}

/** Runs a step of the set-up; its output is shown only when it fails. Secrets go in `env`, never in argv. */
async function inFolder(cwd: string, argv: string[], env: Record<string, string>, signal: AbortSignal, what: string): Promise<string> {
  const result = await runCommand({ command: argv, cwd, env, signal })
  if (result.aborted) throw new Error(`${what}: stopped`)
  if (result.exitCode !== 0) {
    throw new Error(`${what} failed (exit ${result.exitCode ?? result.signal}):\n${(result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n')}`)
  }
  return result.stdout
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? ''
}
