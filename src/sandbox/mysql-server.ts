import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, openSync, closeSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runCommand } from '../adapters/process/run-command.js'
import { findExecutable } from '../adapters/database/tools.js'
import { freePort } from '../adapters/net/free-port.js'
import { aptInstall, canInstallWithApt, isAlive, lastLines, readServerState, stopPid, stopPrivateServer } from './server-process.js'

export interface EnsureMysqlOptions {
  /** Folder for a private server's data, socket, logs and pid/port file. */
  stateDir: string
  log?: (line: string) => void
  env?: NodeJS.ProcessEnv
  /** Try root without password on 127.0.0.1:3306 first (default true). */
  tryDefaultPort?: boolean
  /** On Debian/Ubuntu as root, install mariadb-server when no server binary is found (default true). */
  allowInstall?: boolean
  /** How long a starting server may take to accept connections. */
  startTimeoutMs?: number
  /** Options for a private server (e.g. `--log-bin` for a server that writes a binary log). */
  serverOptions?: string[]
}

export interface MysqlServer {
  /** mysql://root@127.0.0.1:PORT (no database): tests create their own databases on it. */
  url: string
  /** true when this call started a server. */
  started: boolean
  /** Where the server came from. */
  source: 'env' | 'default-port' | 'private'
  /** The private server's process id. */
  pid?: number
  port?: number
  /** Stops a private server (whether this call started it or found it running); otherwise does nothing. */
  stop(): Promise<void>
}

interface ServerState {
  pid: number
  port: number
  socket: string
  datadir: string
  binary: string
}

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/usr/libexec', '/usr/local/mysql/bin', '/opt/homebrew/bin', '/usr/local/bin']

/**
 * A MySQL/MariaDB server for tests and the demo: ROLLOUT_MYSQL_URL when set; else the machine's
 * own on 127.0.0.1:3306 when root can log in without a password; else a private server (mariadbd
 * or mysqld from PATH) on a free port with its data under `stateDir`, reused while it runs; else,
 * on Debian/Ubuntu as root, Debian's mariadb-server is installed first.
 */
export async function ensureMysqlServer(opts: EnsureMysqlOptions): Promise<MysqlServer> {
  const env = opts.env ?? process.env
  const log = opts.log ?? (() => {})
  const noop = async () => {}
  if (env.ROLLOUT_MYSQL_URL) return { url: env.ROLLOUT_MYSQL_URL, started: false, source: 'env', stop: noop }

  if (opts.tryDefaultPort !== false && (await canLogIn(3306))) {
    log('using the server on 127.0.0.1:3306 (root, no password)')
    return { url: 'mysql://root@127.0.0.1:3306', started: false, source: 'default-port', stop: noop }
  }

  const dir = path.resolve(opts.stateDir)
  const stateFile = path.join(dir, 'server.json')
  const running = await readServerState<ServerState>(stateFile)
  if (running && isAlive(running.pid) && (await canLogIn(running.port))) {
    log(`reusing the private server on port ${running.port} (pid ${running.pid})`)
    return privateHandle(running, stateFile, false)
  }

  let binary = await findServerBinary()
  if (!binary && opts.allowInstall !== false && (await canInstallWithApt())) {
    log('no MySQL/MariaDB server found: installing Debian\'s mariadb-server')
    await aptInstall('mariadb-server', log)
    binary = await findServerBinary()
  }
  if (!binary) {
    throw new Error(
      'no MySQL/MariaDB server available: set ROLLOUT_MYSQL_URL=mysql://user:password@host:port, run one on 127.0.0.1:3306 that root can log in to without a password, ' +
        'or install one so mariadbd/mysqld is on PATH (Debian/Ubuntu: apt-get install mariadb-server; macOS: brew install mariadb)',
    )
  }
  const state = await startPrivate(binary, dir, log, opts.startTimeoutMs ?? 60_000, opts.serverOptions ?? [])
  await writeFile(stateFile, JSON.stringify(state, null, 2) + '\n')
  return privateHandle(state, stateFile, true)
}

/** Stops the private server whose state is in `stateDir`, when one runs there. */
export const stopPrivateMysqlServer = stopPrivateServer

function privateHandle(state: ServerState, stateFile: string, started: boolean): MysqlServer {
  return {
    url: `mysql://root@127.0.0.1:${state.port}`,
    started,
    source: 'private',
    pid: state.pid,
    port: state.port,
    async stop() {
      await stopPid(state.pid)
      await rm(stateFile, { force: true })
    },
  }
}

async function findServerBinary(): Promise<{ path: string; flavor: 'mariadb' | 'mysql' } | null> {
  for (const name of ['mariadbd', 'mysqld']) {
    const file = await findExecutable(name, SBIN)
    if (!file) continue
    const out = await runCommand({ command: [file, '--version'] }).catch(() => null)
    const text = `${out?.stdout ?? ''}${out?.stderr ?? ''}`
    return { path: file, flavor: /mariadb/i.test(text) || name === 'mariadbd' ? 'mariadb' : 'mysql' }
  }
  return null
}

async function startPrivate(binary: { path: string; flavor: 'mariadb' | 'mysql' }, dir: string, log: (line: string) => void, timeoutMs: number, serverOptions: string[]): Promise<ServerState> {
  const datadir = path.join(dir, 'data')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const asRoot = process.getuid?.() === 0
  // A folder of its own for temporary tables: at start-up a server deletes every `#sql*` file in its
  // tmpdir, and in the shared /tmp those are another server's open temporary tables (it crashes).
  const tmpdir = path.join(dir, 'tmp')
  await mkdir(tmpdir, { recursive: true, mode: 0o700 })
  const serverArgs = [...(asRoot ? ['--user=root'] : []), `--tmpdir=${tmpdir}`]
  if (!existsSync(path.join(datadir, 'mysql'))) {
    log(`initialising a private ${binary.flavor} data folder in ${datadir}`)
    await rm(datadir, { recursive: true, force: true })
    const init = binary.flavor === 'mariadb' ? await mariadbInstallDb(datadir, serverArgs) : [binary.path, '--no-defaults', '--initialize-insecure', `--datadir=${datadir}`, ...serverArgs]
    const result = await runCommand({ command: init })
    if (result.exitCode !== 0) throw new Error(`initialising the data folder failed (${init[0]} exited ${result.exitCode}): ${lastLines(result.stderr || result.stdout)}`)
  }
  const port = await freePort()
  const socket = socketPath(dir)
  const errorLog = path.join(dir, 'error.log')
  const fd = openSync(path.join(dir, 'server.out'), 'a')
  const child = spawn(
    binary.path,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${path.join(dir, 'server.pid')}`,
      `--log-error=${errorLog}`,
      ...serverArgs,
      ...serverOptions,
    ],
    { detached: true, stdio: ['ignore', fd, fd] },
  )
  closeSync(fd)
  child.unref()
  let exited: number | null = null
  child.on('exit', (code) => {
    exited = code ?? -1
  })
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (exited !== null) break
    if (await canLogIn(port)) {
      log(`started a private ${binary.flavor} server on port ${port} (pid ${child.pid})`)
      return { pid: child.pid!, port, socket, datadir, binary: binary.path }
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  if (exited === null) await stopPid(child.pid!)
  const tail = await readFile(errorLog, 'utf8').catch(() => '')
  throw new Error(`the private server did not start on port ${port}${exited !== null ? ` (it exited with ${exited})` : ''}: ${lastLines(tail, 5)}`)
}

async function mariadbInstallDb(datadir: string, serverArgs: string[]): Promise<string[]> {
  const tool = (await findExecutable('mariadb-install-db', SBIN)) ?? (await findExecutable('mysql_install_db', SBIN))
  if (!tool) throw new Error('mariadbd is installed but mariadb-install-db is not: install the whole mariadb-server package')
  return [tool, '--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...serverArgs]
}

/** Unix socket paths are limited to about 100 bytes: a deep state folder gets one in the temp folder. */
function socketPath(dir: string): string {
  const inside = path.join(dir, 'mysqld.sock')
  if (inside.length < 100) return inside
  return path.join(os.tmpdir(), `rollout-mysqld-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}.sock`)
}

/** root without a password over TCP, as the tests and the demo connect. */
async function canLogIn(port: number): Promise<boolean> {
  const mysql = await import('mysql2/promise')
  try {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2000 })
    await conn.end()
    return true
  } catch {
    return false
  }
}
