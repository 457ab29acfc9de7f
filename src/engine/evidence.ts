import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Redactor } from '../config/redact.js'
import type { EvidenceRef } from './step-kind.js'
import type { StepPass } from './events.js'
import type { RunState } from './run-state.js'

/** The run's folder: `<stateDir>/runs/<run-id>/`, owner-only. */
export function runDir(stateDir: string, runId: string): string {
  return path.join(stateDir, 'runs', runId)
}

export function stepEvidenceDir(stateDir: string, runId: string, stepId: string, pass: StepPass): string {
  return path.join(runDir(stateDir, runId), pass === 'run' ? stepId : `${stepId}.rollback-proof`)
}

/** Writes one evidence file, redacting text; returns its path relative to the run's folder. */
export async function writeEvidenceFile(
  runFolder: string,
  dir: string,
  name: string,
  content: string | Uint8Array,
  redactor: Redactor,
  label?: string,
): Promise<EvidenceRef> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const safeName = name.replace(/[^\w.-]+/g, '_')
  const file = path.join(dir, safeName)
  await writeFile(file, typeof content === 'string' ? redactor.redact(content) : content, { mode: 0o600 })
  return { path: path.relative(runFolder, file), label: label ?? safeName }
}

/** Lists a file a step wrote itself (a screenshot); copies it in when it lies outside the run's folder. */
export async function adoptEvidenceFile(runFolder: string, dir: string, absolutePath: string, label?: string): Promise<EvidenceRef> {
  let file = path.resolve(absolutePath)
  if (path.relative(runFolder, file).startsWith('..')) {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const target = path.join(dir, path.basename(file))
    await copyFile(file, target)
    file = target
  }
  return { path: path.relative(runFolder, file), label: label ?? path.basename(file) }
}

/**
 * Copies the run's folder where the config keeps evidence for every machine. A failure is a
 * warning, said once per run: the run goes on, and its evidence stays in the local folder.
 */
export async function copyEvidence(state: RunState): Promise<void> {
  if (!state.keepEvidence) return
  const folder = runDir(state.stateDir, state.runId)
  try {
    await state.keepEvidence(state.runId, folder)
  } catch (error) {
    if (state.evidenceCopyFailed) return
    state.evidenceCopyFailed = true
    const message = `the evidence was not copied for other machines (${state.redactor.redact((error as Error).message)}): it is only in ${folder}`
    await state.recorder.emit({ type: 'warning', message }).catch(() => undefined)
  }
}
