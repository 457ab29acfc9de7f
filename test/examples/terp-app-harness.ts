import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { buildRelease } from '../../examples/terp-app/build.js'
import { httpRequest, type HttpResponse } from '../../src/adapters/http/request.js'
import { CookieJar } from '../../src/adapters/trpc/cookies.js'
import { ensureCertificates } from '../../src/sandbox/tls.js'
import { tempDir } from '../support/cli.js'

/**
 * The example app as its users run it: a release built into a folder of its own, migrated and
 * started there as real child processes, reached over HTTPS under its staging name.
 */

export const HOST = 'staging.terp-app.local'

export interface Tls {
  caFile: string
  certFile: string
  keyFile: string
  ca: string
}

/** A CA and a certificate for HOST, made with openssl by the project's sandbox code. */
export function makeTls(): Tls {
  const files = ensureCertificates({ dir: path.join(tempDir('terp-tls-'), 'tls'), hosts: [HOST] })
  return { ...files, ca: readFileSync(files.caFile, 'utf8') }
}

export function build(id: string): string {
  return buildRelease(id, path.join(tempDir(`terp-${id}-`), id)).dir
}

export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** `node --import tsx <script> …args` in a release folder. The database URL goes in the environment only. */
export function runInRelease(dir: string, script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

export interface RunningApp {
  /** The base URL under the staging name (HTTPS) or 127.0.0.1 (HTTP). */
  url: string
  port: number
  child: ChildProcess
  output(): string
  stop(): Promise<void>
}

/** Starts `src/server.ts` on a free port and waits for its "listening on" line. */
export async function startApp(dir: string, env: Record<string, string>): Promise<RunningApp> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: dir, env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d
      const m = /listening on https?:\/\/[\d.]+:(\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`the app exited (code ${code}) before listening:\n${out}`)))
  })
  const secure = Boolean(env.TLS_CERT_FILE)
  return {
    url: secure ? `https://${HOST}:${port}` : `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** A client for one app: its name resolved to 127.0.0.1, its CA trusted, cookies kept between calls. */
export class Client {
  readonly jar = new CookieJar()
  constructor(
    private readonly app: RunningApp,
    private readonly ca?: string,
  ) {}

  async request(pathname: string, opts: { method?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
    const body = opts.form ? new URLSearchParams(opts.form).toString() : opts.json !== undefined ? JSON.stringify(opts.json) : undefined
    const type = opts.form ? 'application/x-www-form-urlencoded' : opts.json !== undefined ? 'application/json' : undefined
    const cookie = this.jar.header()
    const res = await httpRequest({
      url: new URL(pathname, this.app.url).toString(),
      method: opts.method ?? (body ? 'POST' : 'GET'),
      body,
      headers: { ...(type ? { 'content-type': type } : {}), ...(cookie ? { cookie } : {}), ...opts.headers },
      resolve: { [HOST]: '127.0.0.1' },
      ca: this.ca,
      timeoutMs: 15_000,
    })
    this.jar.absorb(res.headers['set-cookie'])
    return res
  }

  /** Logs in through the staff form; throws unless it lands on the dashboard. */
  async logIn(email = 'demo@terp.example', password = 'password'): Promise<void> {
    const res = await this.request('/login', { form: { username: email, password } })
    if (res.status !== 303 || res.headers.location !== '/dashboard') throw new Error(`login failed: HTTP ${res.status} ${res.body.slice(0, 200)}`)
  }
}

/** Every element's text content with a given data-testid (the way the smoke flows find them). */
export function byTestId(htmlText: string, id: string): string[] {
  const out: string[] = []
  const re = new RegExp(`<(\\w+)[^>]*data-testid="${id}"[^>]*>([\\s\\S]*?)</\\1>`, 'g')
  for (const m of htmlText.matchAll(re)) out.push(m[2]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim())
  return out
}
