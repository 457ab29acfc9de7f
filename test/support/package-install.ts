import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT, tempDir, type CliResult } from './cli.js'

/**
 * pnpm as corepack (shipped with Node) fetches it from the npm registry: an exact version, pinned by
 * its registry integrity so corepack checks what it downloads. 10.x runs on Node ≥ 18.12.
 */
const PNPM = { version: '10.34.9', integrity: 'sha512-9JtajqD97bRLs8DB1ldQkqU8KVDZW3rRXfEfF5dId6LeOgHAfpNOmyjOcW5RwJqUlixzBtCb4uHksYqMh2L9Mg==' }
export const PNPM_SPEC = `pnpm@${PNPM.version}+sha512.${Buffer.from(PNPM.integrity.slice('sha512-'.length), 'base64').toString('hex')}`

/**
 * The variables `npm test` sets for its script (npm_config_local_prefix and the like would point npm
 * at this repository rather than the app), except the ones that say how to reach the registry.
 */
const NPM_SCRIPT_VARIABLE = /^npm_(?!config_(registry|proxy|https_proxy|noproxy|cafile|strict_ssl)$)/i

/** Node's own folder first on PATH (the bin's `#!/usr/bin/env node`, corepack); npm's script variables out. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !NPM_SCRIPT_VARIABLE.test(k)))
  return { ...env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', NO_COLOR: '1', CI: '1', ...extra }
}

/** Runs a program to its end, output kept. */
export function run(command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? toolEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 180_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

export interface Packed {
  tarball: string
  size: number
  files: string[]
}

/**
 * `npm pack` in a copy of the sources with no dist/, as a git install gets them (files git tracks,
 * plus new ones not ignored), the development packages linked in: the tarball holds what `prepare`
 * built. A copy, because prepare empties dist/, which the other tests' CLI runs from.
 */
export async function packFromSources(): Promise<Packed> {
  const out = tempDir('rollout-pack-')
  const source = path.join(out, 'source')
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0')
  for (const file of listed) {
    if (!file || file === 'node_modules' || !existsSync(path.join(ROOT, file))) continue
    mkdirSync(path.dirname(path.join(source, file)), { recursive: true })
    cpSync(path.join(ROOT, file), path.join(source, file), { dereference: false })
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir')
  const packed = await run('npm', ['pack', '--json', '--pack-destination', out], { cwd: source })
  if (packed.code !== 0) throw new Error(`npm pack failed (exit ${packed.code}):\n${packed.stderr.slice(-3000)}`)
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; size: number; files: { path: string }[] }[]
  return { tarball: path.join(out, info!.filename), size: info!.size, files: info!.files.map((f) => f.path) }
}

/** A new app folder: a package.json whose db:push script `rollout init` finds, and nothing else. */
export function newApp(): string {
  const dir = tempDir('rollout-app-')
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: { 'db:push': 'drizzle-kit push' } }, null, 2))
  return dir
}

/**
 * The installer's command line for a tarball, as a user types it: packages from the local cache
 * first, the registry for what is missing; with `offline`, the cache alone (no retries to wait out).
 */
export function installCommand(manager: 'npm' | 'pnpm', tarball: string, offline: boolean): [string, string[]] {
  const network = offline ? '--offline' : '--prefer-offline'
  if (manager === 'npm') return ['npm', ['install', '--save-dev', network, '--no-audit', '--no-fund', tarball]]
  return ['corepack', [PNPM_SPEC, 'add', '--save-dev', network, tarball]]
}

/** Why npm cannot reach its registry, or undefined when it can. */
export async function registryUnreachable(cwd: string): Promise<string | undefined> {
  const ping = await run('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=15000'], { cwd, timeoutMs: 30_000 })
  if (ping.code === 0) return undefined
  if (ping.code === null) return 'the npm registry cannot be reached (npm ping had no answer in 30 s)'
  const lines = (ping.stderr || ping.stdout).trim().split('\n')
  return `the npm registry cannot be reached (npm ping: ${lines.find((l) => /err/i.test(l)) ?? lines.pop()})`
}
