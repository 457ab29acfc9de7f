import { setTimeout as sleep } from 'node:timers/promises'
import type { PlannedStep } from '../plan/types.js'
import { formatDuration } from '../config/duration.js'
import type { StepPass, StepStatus } from './events.js'
import type { StepContext, StepKind, StepOutcome } from './step-kind.js'
import type { RunState } from './run-state.js'
import { adoptEvidenceFile, copyEvidence, runDir, stepEvidenceDir, writeEvidenceFile } from './evidence.js'
import { isFirstDeploy, skipReason } from './run-overrides.js'
import { RolloutError } from '../shared/errors.js'
import { abandonSuperseded } from './superseded.js'
import { describeProcessGroup } from '../shared/process/process-group.js'
import { PROCESS_GROUPS, recordedGroups, settleLeftoverProcesses } from './leftover-processes.js'
import { runLiveness } from './lock.js'

export interface StepResult {
  stepId: string
  status: StepStatus
  summary: string
}

/** The context a step kind sees; the undo context adds its recorded data to this. */
export function stepContext(state: RunState, step: PlannedStep, pass: StepPass, signal: AbortSignal): StepContext<any> {
  const { store, recorder, runId, redactor } = state
  const folder = runDir(state.stateDir, runId)
  const dir = stepEvidenceDir(state.stateDir, runId, step.id, pass)
  const addRef = async (ref: Awaited<ReturnType<typeof writeEvidenceFile>>) => {
    const steps = await store.getSteps(runId)
    const current = steps.find((s) => s.stepId === step.id && s.pass === pass)
    await store.upsertStep({ runId, stepId: step.id, pass, evidence: [...(current?.evidence ?? []), ref] })
    await recorder.emit({ type: 'step-evidence', stepId: step.id, evidence: ref, pass })
    return ref
  }
  const checkpoint = async (data: Record<string, unknown>) => {
    const merged = { ...(state.outputs.get(step.id) ?? {}), ...data }
    state.outputs.set(step.id, merged)
    await store.upsertStep({ runId, stepId: step.id, pass, data: redactor.redactValue(merged) })
  }
  return {
    runId,
    step,
    options: step.options,
    environmentName: state.environmentName,
    environment: state.environment,
    config: state.config,
    cwd: state.config.root,
    signal,
    log: (line) => {
      const clean = redactor.redact(line)
      void store.appendOutput(runId, step.id, pass, clean)
      void recorder.emit({ type: 'step-output', stepId: step.id, line: clean, pass })
    },
    writeEvidence: async (name, content, label) => addRef(await writeEvidenceFile(folder, dir, name, content, redactor, label)),
    evidenceDir: dir,
    addEvidence: async (file, label) => addRef(await adoptEvidenceFile(folder, dir, file, label)),
    checkpoint,
    trackProcess: (pid) => checkpoint({ [PROCESS_GROUPS]: [...recordedGroups(state.outputs.get(step.id)), describeProcessGroup(pid)] }),
    earlier: state.outputs.get(step.id),
    outputs: state.outputs,
    redactor,
    provingRollback: pass === 'proof',
    firstDeploy: isFirstDeploy(state.plan),
    env: state.env,
    history: async () =>
      (await store.listRuns({ environment: state.environmentName, limit: 50 }))
        .filter((r) => r.id !== runId)
        .map((r) => ({ status: r.status, durationMs: r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null })),
    runSteps: async () =>
      (await store.getSteps(runId))
        .filter((s) => s.pass === 'run')
        .map((s) => ({ stepId: s.stepId, phase: s.phase, title: s.title, status: s.status, startedAt: s.startedAt, durationMs: s.durationMs })),
    planSteps: state.plan.steps,
    runLiveness: (id) => runLiveness(store, runId, id),
  }
}

/**
 * Runs one step: records it as started (and the point of no return, if it is one) before anything
 * happens, enforces its timeout, retries a failure, and records the end. Never throws.
 */
export async function executeStep(state: RunState, step: PlannedStep, pass: StepPass): Promise<StepResult> {
  const { store, recorder, runId } = state
  const kind = state.kinds.find(step.kind)
  const skip = async (reason: string, warn: boolean): Promise<StepResult> => {
    await store.upsertStep({ runId, stepId: step.id, pass, phase: step.phase, title: step.title, status: 'skipped', summary: reason })
    if (warn) await recorder.emit({ type: 'warning', message: `skipped "${step.title}": ${reason}`, stepId: step.id })
    await recorder.emit({ type: 'step-skipped', stepId: step.id, title: step.title, phase: step.phase, reason, pass })
    return { stepId: step.id, status: 'skipped', summary: reason }
  }
  // The plan was checked against the same registry; a kind missing here is a bug, shown, not thrown.
  if (!kind) return skip(`step kind "${step.kind}" is not registered`, true)
  const skipped = skipReason(state.plan, step.id)
  if (skipped) return skip(skipped, false)

  if (pass === 'run' && step.changesEnvironment && !state.crossed) {
    state.crossed = true
    await store.updateRun(runId, { crossedAt: step.id })
    await recorder.emit({ type: 'point-of-no-return', stepId: step.id, title: step.title })
    for (const old of await abandonSuperseded(store, (await store.getRun(runId))!, step.id)) {
      await recorder.emit({ type: 'warning', message: `run ${old.id} (${old.status}) is marked abandoned: this run changes the environment it left` })
    }
  }

  const started = performance.now()
  const resumed = pass === 'run' && state.interrupted.has(step.id)
  await store.upsertStep({
    runId, stepId: step.id, pass, phase: step.phase, title: step.title, status: 'running', attempt: 1,
    startedAt: new Date().toISOString(), seq: state.nextSeq++,
    // An attempt a crash interrupted keeps its output and evidence: they tell what it did.
    ...(resumed ? {} : { output: '', evidence: [] }),
  })
  if (resumed) {
    const refused = await afterInterruption(state, step, kind)
    if (refused) {
      const durationMs = performance.now() - started
      await recorder.emit({ type: 'step-started', stepId: step.id, title: step.title, phase: step.phase, attempt: 1, pass })
      await store.upsertStep({ runId, stepId: step.id, pass, status: 'failed', summary: refused, finishedAt: new Date().toISOString(), durationMs })
      await recorder.emit({ type: 'step-finished', stepId: step.id, status: 'failed', summary: refused, durationMs, pass })
      return { stepId: step.id, status: 'failed', summary: refused }
    }
  }

  let outcome: StepOutcome = { status: 'failed', summary: 'did not run' }
  let cancelled = false
  for (let attempt = 1; attempt <= step.retries + 1; attempt++) {
    if (attempt > 1) await store.upsertStep({ runId, stepId: step.id, pass, attempt })
    await recorder.emit({ type: 'step-started', stepId: step.id, title: step.title, phase: step.phase, attempt, pass })
    outcome = await boundedAttempt(state, step, pass, (ctx) => kind.run(ctx))
    cancelled = state.signal.aborted
    if (outcome.status !== 'failed' || cancelled || attempt > step.retries) break
    await recorder.emit({ type: 'step-retrying', stepId: step.id, attempt: attempt + 1, error: outcome.summary, pass })
    await sleep(Math.min(500 * attempt, 5000), undefined, { signal: state.signal }).catch(() => undefined)
  }

  let status: StepStatus = cancelled && outcome.status === 'failed' ? 'cancelled' : outcome.status
  let summary = outcome.summary
  if (status === 'failed' && step.gate === 'warning') {
    status = 'warning'
    summary = `${summary} (warning only: the run goes on)`
  }
  const data = { ...(state.outputs.get(step.id) ?? {}), ...(outcome.data ?? {}) }
  state.outputs.set(step.id, data)
  const durationMs = performance.now() - started
  await store.upsertStep({
    runId, stepId: step.id, pass, status, summary: state.redactor.redact(summary), data: state.redactor.redactValue(data),
    finishedAt: new Date().toISOString(), durationMs,
  })
  await recorder.emit({ type: 'step-finished', stepId: step.id, status, summary, durationMs, pass })
  await copyEvidence(state)
  return { stepId: step.id, status, summary }
}

/**
 * A step a crash interrupted, about to run again in a resumed run: the processes its dead attempt
 * left are waited for or stopped first. A step that changes the environment is only repeated when
 * its kind can tell what the earlier attempt did; otherwise the reason it is not is returned, and
 * the run rolls back.
 */
async function afterInterruption(state: RunState, step: PlannedStep, kind: StepKind<any>): Promise<string | null> {
  const log = (line: string) => state.store.appendOutput(state.runId, step.id, 'run', state.redactor.redact(line))
  await log('--- a crash interrupted the attempt above; this run was resumed ---')
  for (const line of await settleLeftoverProcesses(state, step, state.outputs.get(step.id))) await log(line)
  if (!step.changesEnvironment || kind.resumable) return null
  return 'a crash interrupted it while it changed the environment; what it did cannot be told, so it is not run again: the rollback undoes it'
}

/**
 * One call of a kind's run or undo, bounded by the step's timeout even when the kind ignores its
 * abort signal; a thrown error becomes a failed outcome.
 */
export async function boundedAttempt(
  state: RunState,
  step: PlannedStep,
  pass: StepPass,
  invoke: (ctx: StepContext<any>) => Promise<StepOutcome>,
): Promise<StepOutcome> {
  const controller = new AbortController()
  const stop = () => controller.abort(state.signal.reason)
  state.signal.addEventListener('abort', stop, { once: true })
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<StepOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timeout'))
      // Give the step a moment to stop cleanly and report, then stop waiting for it.
      setTimeout(() => resolve({ status: 'failed', summary: `timed out after ${formatDuration(step.timeoutMs)}` }), 2000).unref()
    }, step.timeoutMs)
  })
  // A step that ignores cancellation gets five seconds, then the run stops waiting for it.
  let onCancel = () => {}
  const cancelled = new Promise<StepOutcome>((resolve) => {
    onCancel = () => void setTimeout(() => resolve({ status: 'failed', summary: 'cancelled' }), 5000).unref()
    if (state.signal.aborted) onCancel()
    else state.signal.addEventListener('abort', onCancel, { once: true })
  })
  try {
    const ctx = stepContext(state, step, pass, controller.signal)
    const running = Promise.resolve()
      .then(() => invoke(ctx))
      .then((outcome) => (controller.signal.aborted && outcome.status === 'failed' ? { ...outcome, summary: abortSummary(controller.signal, step, outcome.summary) } : outcome))
      .catch((error: unknown): StepOutcome => ({ status: 'failed', summary: controller.signal.aborted ? abortSummary(controller.signal, step, errorMessage(error)) : failureSummary(error) }))
    return await Promise.race([running, timedOut, cancelled])
  } finally {
    clearTimeout(timer)
    state.signal.removeEventListener('abort', stop)
    state.signal.removeEventListener('abort', onCancel)
  }
}

function abortSummary(signal: AbortSignal, step: PlannedStep, detail: string): string {
  const reason = signal.reason instanceof Error && signal.reason.message === 'timeout' ? `timed out after ${formatDuration(step.timeoutMs)}` : 'cancelled'
  return `${reason} (${detail})`
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * A failed step's summary: the error's message and, when it has one, its hint (a full disk says to
 * free space or move backups.dir): the run's output and its record show what the CLI would.
 */
function failureSummary(error: unknown): string {
  return error instanceof RolloutError && error.hint ? `${errorMessage(error)} — hint: ${error.hint}` : errorMessage(error)
}
