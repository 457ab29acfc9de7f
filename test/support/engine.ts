import { setTimeout as sleep } from 'node:timers/promises'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { rollbackRollout, runRollout } from '../../src/app/runs.js'
import type { RolloutEvent } from '../../src/engine/events.js'
import { defineStepKind, type StepKind } from '../../src/engine/step-kind.js'
import { stepsOnly, tempDir } from './cli.js'
import { readRecord } from './record.js'

/**
 * The engine in-process: a config object and the test's own step kinds, run through src/app (the
 * same wiring as the CLI: plan, real SQLite record in `<dir>/.rollout`, incident report, outcome
 * notices) without starting a process. A test reads the RunResult, the events and the record.
 */
export interface EngineRun {
  result: Awaited<ReturnType<typeof runRollout>>
  events: RolloutEvent[]
  record: Awaited<ReturnType<typeof readRecord>>
}

export interface EngineProject {
  dir: string
  config: unknown
  run(opts?: { release?: string; kinds?: StepKind<any>[] }): Promise<EngineRun>
  rollback(target: string, opts?: { config?: unknown }): Promise<EngineRun>
}

/**
 * A temporary project folder holding `files`, whose staging environment is `add` only (no runbook
 * defaults), or `config` as given. `kinds` and `env` are passed to every operation.
 */
export function engineProject(opts: { add?: unknown[]; extra?: Record<string, unknown>; config?: unknown; files?: Record<string, string>; kinds?: StepKind<any>[]; env?: NodeJS.ProcessEnv }): EngineProject {
  const dir = tempDir('rollout-engine-')
  for (const [name, content] of Object.entries(opts.files ?? {})) writeFileSync(path.join(dir, name), content)
  const config = opts.config ?? stepsOnly(opts.add ?? [], opts.extra)
  const source = (kinds: StepKind<any>[] = []) => ({ cwd: dir, config, kinds: [...(opts.kinds ?? []), ...kinds], ...(opts.env ? { env: opts.env } : {}) })
  const collect = async (work: (onEvent: (e: RolloutEvent) => void) => Promise<EngineRun['result']>): Promise<EngineRun> => {
    const events: RolloutEvent[] = []
    const result = await work((e) => events.push(e))
    return { result, events, record: await readRecord(dir) }
  }
  return {
    dir, config,
    run: (o = {}) => collect((onEvent) => runRollout({ ...source(o.kinds), environment: 'staging', onEvent, ...(o.release ? { release: o.release } : {}) })),
    rollback: (target, o = {}) => collect((onEvent) => rollbackRollout({ ...source(), ...(o.config ? { config: o.config } : {}), target, onEvent })),
  }
}

/** A step of one of the fake kinds below. */
export const fake = (id: string, phase: string, kind: string, options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ id, phase, kind, options, ...extra })

/**
 * An in-memory environment and step kinds that act on it, so a test sees exactly what the engine
 * called, in which order, without shell commands:
 * - `fake-check` (options: fail, failAttempts, ms, log): records its call, waits `ms` (stopping on the
 *   signal), fails with `fail` as summary, or fails its first `failAttempts` calls (counted over
 *   retries and passes: with 1, a smoke step fails in the run and passes when it proves the rollback);
 * - `fake-change` (options: key, value, undo=true): changes the environment; its undo puts the
 *   checkpointed "before" back, its inspection compares; `undo: false` leaves it without an undo;
 * - `fake-smoke` (options: key, expect): passes while `state[key]` equals `expect`;
 * - `fake-hang`: waits until the run's signal aborts (a timeout, a cancel).
 */
export function fakeWorld() {
  const journal: string[] = []
  const state: Record<string, unknown> = {}
  const attempts = new Map<string, number>()
  const aborted: string[] = []
  const check = defineStepKind<{ fail?: string; failAttempts?: number; ms?: number; log?: string }>({
    kind: 'fake-check',
    description: 'records its call; fails on demand',
    async run(ctx) {
      const n = (attempts.get(ctx.step.id) ?? 0) + 1
      attempts.set(ctx.step.id, n)
      journal.push(ctx.provingRollback ? `verify-${ctx.step.id}` : ctx.step.id)
      if (ctx.options.log) ctx.log(ctx.options.log)
      if (ctx.options.ms) await sleep(ctx.options.ms, undefined, { signal: ctx.signal }).catch(() => undefined)
      if (ctx.options.fail) return { status: 'failed', summary: ctx.options.fail }
      if (n <= (ctx.options.failAttempts ?? 0)) return { status: 'failed', summary: `attempt ${n} failed` }
      return { status: 'passed', summary: `attempt ${n}` }
    },
  })
  const change = defineStepKind<{ key: string; value: unknown; undo?: boolean }>({
    kind: 'fake-change',
    description: 'changes the in-memory environment',
    changesEnvironment: true,
    canUndo: (o) => o.undo !== false,
    async run(ctx) {
      journal.push(ctx.step.id)
      const before = ctx.earlier?.before ?? state[ctx.options.key] ?? null
      // Saved before the change, as a real kind must, so an undo after a crash knows what to put back.
      await ctx.checkpoint({ before })
      state[ctx.options.key] = ctx.options.value
      return { status: 'passed', summary: `${ctx.options.key}=${String(ctx.options.value)}`, data: { before } }
    },
    async undo(ctx) {
      journal.push(`undo-${ctx.step.id}`)
      state[ctx.options.key] = ctx.recorded.before
      return { status: 'passed', summary: `${ctx.options.key} back to ${String(ctx.recorded.before)}` }
    },
    async inspect(ctx) {
      const now = state[ctx.options.key] ?? null
      return now === ctx.recorded.before ? { state: 'before', detail: `${ctx.options.key}=${String(now)}` } : { state: 'changed', detail: `${ctx.options.key} is still ${String(now)}` }
    },
  })
  const smoke = defineStepKind<{ key: string; expect: unknown }>({
    kind: 'fake-smoke',
    description: 'checks the in-memory environment',
    async run(ctx) {
      journal.push(ctx.provingRollback ? `verify-${ctx.step.id}` : ctx.step.id)
      const now = state[ctx.options.key] ?? null
      return now === ctx.options.expect ? { status: 'passed', summary: `${ctx.options.key}=${String(now)}` } : { status: 'failed', summary: `${ctx.options.key} is ${String(now)}, expected ${String(ctx.options.expect)}` }
    },
  })
  const hang = defineStepKind({
    kind: 'fake-hang',
    description: 'waits for the run to stop it',
    async run(ctx) {
      if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))
      aborted.push(ctx.step.id)
      return { status: 'failed', summary: 'stopped' }
    },
  })
  return { journal, state, attempts, aborted, kinds: [check, change, smoke, hang] }
}
