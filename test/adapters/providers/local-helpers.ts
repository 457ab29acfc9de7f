import { copyFileSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redactor } from '../../../src/config/redact.js'
import { createProvider } from '../../../src/adapters/providers/index.js'
import type { DeployProvider } from '../../../src/adapters/providers/provider.js'
import { httpRequest, type HttpResponse } from '../../../src/adapters/http/request.js'
import { stopLocalSite } from '../../../src/adapters/providers/local.js'
import { freePort } from '../../../src/adapters/net/free-port.js'
import { ensureCertificates, type CertificateFiles } from '../../../src/sandbox/tls.js'
import { makeProject, stepsOnly, tempDir } from '../../support/cli.js'
import { callOptions } from './helpers.js'

export const APP = fileURLToPath(new URL('../../fixtures/local/app.mjs', import.meta.url))
export const HOST = 'staging.local.test'
export const SECRET = 'app-secret-7f3a9c2e-never-shown'

export { freePort }

export interface LocalSite {
  cwd: string
  root: string
  port: number
  certs: CertificateFiles
  provider: DeployProvider
  redactor: Redactor
  opts: ReturnType<typeof callOptions>
  config: Record<string, unknown>
  /** Puts a built release under build/<name>: the fixture app and its release.json. */
  release(name: string, settings?: Record<string, unknown>): void
  /** GET on the public port over HTTPS, trusting the sandbox CA, the name resolved to 127.0.0.1. */
  get(pathname: string): Promise<HttpResponse>
  /** Deploys and waits until live; returns the deployment id. */
  ship(release: string): Promise<string>
  stop(): Promise<boolean>
}

/** A project folder with sandbox certificates and a local provider serving HTTPS on a free port. */
export async function localSite(t: { after(fn: () => unknown): void }, overrides: Record<string, unknown> = {}): Promise<LocalSite> {
  const cwd = tempDir('rollout-local-')
  const certs = ensureCertificates({ dir: path.join(cwd, 'certs'), hosts: [HOST] })
  const port = await freePort()
  const config = {
    kind: 'local',
    root: 'site',
    source: 'build/{release}',
    start: 'node app.mjs',
    port,
    health: { path: '/health/ready', https: true, hostHeader: HOST, ca: 'certs/ca/ca.pem' },
    env: { TLS_CERT_FILE: certs.certFile, TLS_KEY_FILE: certs.keyFile, APP_SECRET: SECRET },
    startTimeout: '15s',
    stopTimeout: '3s',
    ...overrides,
  }
  const redactor = new Redactor()
  redactor.add(SECRET)
  const provider = await createProvider(config, { cwd, env: process.env, redactor, environmentName: 'staging' })
  const root = path.join(cwd, 'site')
  t.after(() => stopLocalSite(root))
  const opts = callOptions()
  const site: LocalSite = {
    cwd,
    root,
    port,
    certs,
    provider,
    redactor,
    opts,
    config,
    release(name, settings = {}) {
      const dir = path.join(cwd, 'build', name)
      mkdirSync(dir, { recursive: true })
      copyFileSync(APP, path.join(dir, 'app.mjs'))
      writeFileSync(path.join(dir, 'release.json'), JSON.stringify({ version: name, ...settings }))
    },
    get: (pathname) => httpRequest({ url: `https://${HOST}:${port}${pathname}`, resolve: { [HOST]: '127.0.0.1' }, ca: readCa(certs.caFile), timeoutMs: 5000 }),
    async ship(release) {
      const d = await provider.deploy(release, opts)
      await provider.waitUntilLive(d.id, { ...opts, timeoutMs: 30_000 })
      return d.id
    },
    stop: () => stopLocalSite(root),
  }
  return site
}

const cas = new Map<string, string>()
function readCa(file: string): string {
  if (!cas.has(file)) cas.set(file, readFileSync(file, 'utf8'))
  return cas.get(file)!
}

/** Polls `check` until it returns a value (not undefined), bounded. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(100)
  }
}

/** Every process whose argument list contains `text` (Linux /proc), this one aside. */
export function processesWithArg(text: string): number[] {
  return otherProcesses().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)
    } catch {
      return false
    }
  })
}

/** Every live process belonging to a site: started for its root, or running inside it. */
export function siteProcesses(root: string): number[] {
  const real = realpathSync(root)
  return otherProcesses().filter((pid) => {
    try {
      if (readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z')) return false
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(real) || readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(root)
    } catch {
      return false
    }
  })
}

function otherProcesses(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid).map(Number)
}

/**
 * A project whose plan is `steps`, deploying through the local provider over HTTPS on a free port
 * (sandbox certificates, the name resolved to 127.0.0.1), with the fixture app built as `releases`.
 */
export async function localRunProject(t: { after(fn: () => unknown): void }, steps: unknown[], releases: string[], extra: Record<string, unknown> = {}) {
  const port = await freePort()
  const dir = makeProject(
    stepsOnly(steps, {
      url: `https://${HOST}:${port}`,
      resolve: { [HOST]: '127.0.0.1' },
      provider: {
        kind: 'local',
        start: 'node app.mjs',
        port,
        health: { https: true, hostHeader: HOST, ca: 'certs/ca/ca.pem' },
        env: { TLS_CERT_FILE: 'certs/server.pem', TLS_KEY_FILE: 'certs/server.key' },
        stopTimeout: '3s',
      },
      ...extra,
    }),
  )
  const certs = ensureCertificates({ dir: path.join(dir, 'certs'), hosts: [HOST] })
  // The app reads its certificate from paths relative to its release folder: give absolute ones.
  const configFile = path.join(dir, 'rollout.config.mjs')
  writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('"certs/server.pem"', JSON.stringify(certs.certFile)).replace('"certs/server.key"', JSON.stringify(certs.keyFile)))
  for (const v of releases) {
    mkdirSync(path.join(dir, 'build', v), { recursive: true })
    copyFileSync(APP, path.join(dir, 'build', v, 'app.mjs'))
  }
  const root = path.join(dir, '.rollout/staging')
  t.after(() => stopLocalSite(root))
  return { dir, root, port, certs }
}
