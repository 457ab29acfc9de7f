import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync, existsSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = path.join(ROOT, 'bin/rollout.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the real CLI as users do: a child process, plain output (not a terminal). */
export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  const child = spawnCli(args, opts)
  return finished(child)
}

export function spawnCli(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): ChildProcess & { output: { stdout: string; stderr: string } } {
  // The suite may itself run under GitHub Actions: a test asks for its workflow commands and job summary.
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', CI: '1', GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, ...opts.env }
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { output: { stdout: string; stderr: string } }
  child.output = { stdout: '', stderr: '' }
  child.stdout!.on('data', (d: Buffer) => (child.output.stdout += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (child.output.stderr += d.toString()))
  return child
}

export function finished(child: ChildProcess & { output: { stdout: string; stderr: string } }): Promise<CliResult> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, ...child.output })
    else child.on('close', (code) => resolve({ code, ...child.output }))
  })
}

/** A fresh project folder with a rollout.config.mjs holding `config` (JSON-serialisable). */
export function makeProject(config: unknown, files: Record<string, string> = {}): string {
  const dir = tempDir('rollout-test-')
  writeFileSync(path.join(dir, 'rollout.config.mjs'), `export default ${JSON.stringify(config, null, 2)}\n`)
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content)
  return dir
}

const made: string[] = []
process.on('exit', () => {
  if (process.env.KEEP_TEST_DIRS) return
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** A temporary folder removed when the test file's process ends (set KEEP_TEST_DIRS to keep it). */
export function tempDir(prefix = 'rollout-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}

/** A staging environment made only of the given steps (no runbook defaults). */
export function stepsOnly(add: unknown[], extra: Record<string, unknown> = {}) {
  return { environments: { staging: { url: 'http://127.0.0.1:9', defaults: false, add, ...extra } } }
}

export async function waitForFile(file: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!existsSync(file)) {
    if (Date.now() > until) throw new Error(`${file} did not appear within ${timeoutMs} ms`)
    await sleep(25)
  }
}

/** true while a process runs; a zombie (killed, not yet reaped by a parent-less container init) counts as stopped. */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Resolves once the child's output matches; rejects when it exits first, or after `timeoutMs`. */
export async function waitForOutput(child: ChildProcess & { output: { stdout: string; stderr: string } }, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!pattern.test(child.output.stdout + child.output.stderr)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited before printing ${pattern}: ${child.output.stdout}${child.output.stderr}`)
    if (Date.now() > until) throw new Error(`no ${pattern} within ${timeoutMs} ms: ${child.output.stdout}${child.output.stderr}`)
    await sleep(25)
  }
}
