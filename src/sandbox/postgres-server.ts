import { createHash } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runCommand } from '../adapters/process/run-command.js'
import { freePort } from '../adapters/net/free-port.js'
import { aptInstall, canInstallWithApt, isAlive, lastLines, readServerState, stopPrivateServer } from './server-process.js'

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres: tests create their own databases on it. */
  url: string
  source: 'env' | 'default-port' | 'private'
}

interface ServerState {
  pid: number
  port: number
  datadir: string
}

/**
 * A PostgreSQL server for the tests of the shared store: ROLLOUT_TEST_POSTGRES_URL when set; else
 * the machine's own on 127.0.0.1:5432 when `postgres` logs in without a password; else a private
 * cluster on a free port, reused while it runs; Debian's postgresql is installed first when its
 * programs are missing. PostgreSQL refuses to run as root: as root, the cluster runs as the
 * package's `postgres` user, in a folder of its own under the temporary folder.
 */
export async function ensurePostgresServer(opts: { stateDir: string; log?: (line: string) => void; env?: NodeJS.ProcessEnv; tryDefaultPort?: boolean }): Promise<PostgresServer> {
  const env = opts.env ?? process.env
  const log = opts.log ?? (() => {})
  if (env.ROLLOUT_TEST_POSTGRES_URL) return { url: env.ROLLOUT_TEST_POSTGRES_URL, source: 'env' }
  if (opts.tryDefaultPort !== false && (await canLogIn(5432))) {
    log('using the server on 127.0.0.1:5432 (postgres, no password)')
    return { url: urlFor(5432), source: 'default-port' }
  }
  const stateFile = path.join(path.resolve(opts.stateDir), 'server.json')
  const running = await readServerState<ServerState>(stateFile)
  if (running && isAlive(running.pid) && (await canLogIn(running.port))) {
    log(`reusing the private server on port ${running.port} (pid ${running.pid})`)
    return { url: urlFor(running.port), source: 'private' }
  }
  let bin = findBinDir()
  if (!bin && (await canInstallWithApt())) {
    log('no PostgreSQL found: installing Debian\'s postgresql')
    await aptInstall('postgresql', log)
    // The package starts its own cluster where it can: that one serves when it lets postgres in.
    if (await canLogIn(5432)) return { url: urlFor(5432), source: 'default-port' }
    bin = findBinDir()
  }
  if (!bin) throw new Error('no PostgreSQL server available: set ROLLOUT_TEST_POSTGRES_URL=postgres://user@host:port/db, or install PostgreSQL (Debian/Ubuntu: apt-get install postgresql)')
  const state = await startPrivate(bin, opts.stateDir, log)
  await mkdir(path.dirname(stateFile), { recursive: true, mode: 0o700 })
  await writeFile(stateFile, JSON.stringify(state, null, 2) + '\n')
  return { url: urlFor(state.port), source: 'private' }
}

/** Stops the private server whose state is in `stateDir`, when one runs there. */
export const stopPrivatePostgresServer = stopPrivateServer

const urlFor = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`

/** Debian keeps each major version's programs in /usr/lib/postgresql/<version>/bin; the newest wins. */
function findBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return versions[0] ? path.join(root, versions[0], 'bin') : null
}

async function startPrivate(bin: string, stateDir: string, log: (line: string) => void): Promise<ServerState> {
  const asRoot = process.getuid?.() === 0
  // As root the cluster belongs to `postgres`, which cannot enter an owner-only state folder.
  const home = asRoot ? path.join(os.tmpdir(), `rollout-postgres-${createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 12)}`) : path.resolve(stateDir)
  const datadir = path.join(home, 'data')
  await mkdir(home, { recursive: true, mode: 0o700 })
  const as = async (command: string[]) => {
    if (asRoot) {
      const { uid, gid } = await postgresUser()
      await chown(home, uid, gid)
      return runCommand({ command: ['runuser', '-u', 'postgres', '--', ...command] })
    }
    return runCommand({ command })
  }
  if (!existsSync(path.join(datadir, 'PG_VERSION'))) {
    log(`initialising a private cluster in ${datadir}`)
    const init = await as([path.join(bin, 'initdb'), '-D', datadir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'])
    if (init.exitCode !== 0) throw new Error(`initdb failed (exit ${init.exitCode}): ${lastLines(init.stderr || init.stdout)}`)
  }
  const port = await freePort()
  log(`starting the private server on port ${port}`)
  const options = `-p ${port} -k ${home} -c listen_addresses=127.0.0.1`
  const started = await as([path.join(bin, 'pg_ctl'), '-D', datadir, '-o', options, '-l', path.join(home, 'server.log'), '-w', '-t', '60', 'start'])
  if (started.exitCode !== 0) throw new Error(`the private PostgreSQL did not start (exit ${started.exitCode}): ${lastLines(started.stderr || started.stdout)}`)
  const pid = Number((await import('node:fs')).readFileSync(path.join(datadir, 'postmaster.pid'), 'utf8').split('\n')[0])
  return { pid, port, datadir }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const result = await runCommand({ command: ['id', '-u', 'postgres'] })
  const group = await runCommand({ command: ['id', '-g', 'postgres'] })
  if (result.exitCode !== 0) throw new Error('PostgreSQL will not run as root, and there is no `postgres` user to run it as (Debian\'s postgresql package creates one)')
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) }
}

async function canLogIn(port: number): Promise<boolean> {
  const pg = (await import('pg')).default
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.end()
    return true
  } catch {
    await client.end().catch(() => undefined)
    return false
  }
}
