import { appendFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import type { RunResult } from '../app/runs.js'
import { showRun } from '../app/history.js'
import { renderJobSummary } from './render/job-summary.js'
import { underGitHubActions } from './render/github.js'

/** The workflow run's page (its artifacts are listed there), from the runner's variables. */
export function workflowRunUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env
  if (!server || !repo || !id) return null
  return `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${id}`
}

/**
 * Appends the run's job summary to the file named by `GITHUB_STEP_SUMMARY`, read back from the run
 * record once the run has finished (so it says what the record says, rollback included). Does
 * nothing outside GitHub Actions; a summary that cannot be written is a warning, never a failure.
 */
export async function writeJobSummary(command: string, result: RunResult, exitCode: number, opts: { configPath?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  const env = opts.env ?? process.env
  const file = env.GITHUB_STEP_SUMMARY
  if (!underGitHubActions(env) || !file) return
  const cwd = opts.cwd ?? process.cwd()
  try {
    const { run, steps, folder } = await showRun({ cwd, ...(opts.configPath ? { configPath: opts.configPath } : {}), runId: result.runId })
    const reports = (await readdir(folder, { withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).map((e) => e.name).sort()
    const workspace = env.GITHUB_WORKSPACE || cwd
    const relative = path.relative(workspace, folder)
    const runFolder = `${relative.startsWith('..') || path.isAbsolute(relative) ? folder : relative}/`
    const markdown = renderJobSummary({ command, run, steps, exitCode, runFolder, reports, workflowRunUrl: workflowRunUrl(env) })
    await appendFile(file, `${markdown}\n`)
  } catch (error) {
    process.stderr.write(`warning: could not write the GitHub job summary to ${file}: ${(error as Error).message}\n`)
  }
}
