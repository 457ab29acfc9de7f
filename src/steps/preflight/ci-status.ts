import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { duration } from '../../config/schema.js'
import { formatDuration } from '../../config/duration.js'
import { headCommit } from '../../adapters/github/git.js'
import { ciVerdict, type CheckRun, type CiCheck, type CiVerdict, type CommitStatus } from '../../adapters/github/checks.js'
import { githubOptionShape, githubTarget, optionPath } from './github-target.js'

export const ciStatusOptions = z.strictObject({
  ...githubOptionShape,
  ref: z.string().min(1).optional().describe('Commit, branch or tag to judge; by default the run\'s release, else the HEAD of the config\'s folder.'),
  wait: duration.default(10 * 60_000).describe('How long pending checks are waited for before the gate fails.'),
  pollInterval: duration.default(15_000),
  ignore: z.array(z.string().min(1)).default([]).describe('Check or status names left out of the verdict (\'*\' matches anything).'),
})
export type CiStatusOptions = z.output<typeof ciStatusOptions>

interface CombinedStatus {
  state: string
  sha: string
  total_count: number
  statuses: CommitStatus[]
}

interface CheckRunsPage {
  total_count: number
  check_runs: CheckRun[]
}

export default defineStepKind<CiStatusOptions>({
  kind: 'ci-status',
  description: 'GitHub commit statuses and check runs of the commit all passed (pending ones are waited for)',
  options: ciStatusOptions,
  async run(ctx) {
    const o = ctx.options
    const ref = o.ref ?? ctx.environment.release ?? (await headCommit(ctx.cwd, ctx.signal))
    if (!ref) throw new Error(`no commit to check: ${ctx.cwd} is not a git checkout; set ${optionPath(ctx, 'ref')} or pass --release`)
    const { repo, apiUrl, client } = await githubTarget(ctx, o)
    const slug = `${repo.owner}/${repo.name}`
    const base = `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}/commits/${encodeURIComponent(ref)}`
    ctx.log(`checking CI of ${slug}@${ref} at ${apiUrl}`)

    const started = Date.now()
    const polls: { at: string; state: CiVerdict['state']; pending: string[] }[] = []
    for (let poll = 1; ; poll++) {
      const [combined, runs] = await Promise.all([
        client.paginate<CombinedStatus, CommitStatus>(`${base}/status`, {}, (p) => p.statuses ?? []),
        client.paginate<CheckRunsPage, CheckRun>(`${base}/check-runs`, { filter: 'latest' }, (p) => p.check_runs ?? []),
      ])
      const sha = combined.pages[0]?.sha ?? ref
      const verdict = ciVerdict(combined.items, runs.items, o.ignore)
      polls.push({ at: new Date().toISOString(), state: verdict.state, pending: verdict.pending.map((c) => c.name) })
      ctx.log(`poll ${poll}: ${counts(verdict)}`)

      const waited = Date.now() - started
      const settled = verdict.state === 'success' || verdict.state === 'failure'
      if (settled || waited + o.pollInterval > o.wait) {
        await ctx.writeEvidence('ci-status.json', JSON.stringify({ repository: slug, ref, sha, apiUrl, polls, checks: verdict.checks }, null, 2), `CI of ${slug}@${short(sha)}`)
        const data = { repository: slug, ref, sha, state: verdict.state, checks: verdict.checks.length, failed: verdict.failed.map(({ name, url }) => ({ name, url })) }
        if (verdict.state === 'success') return { status: 'passed', summary: `${verdict.checks.length} CI checks passed on ${short(sha)}`, data }
        if (verdict.state === 'failure') {
          const named = verdict.failed.map(describeCheck).join('; ')
          return { status: 'failed', summary: `${verdict.failed.length} CI check${verdict.failed.length === 1 ? '' : 's'} failed on ${short(sha)}: ${named}`, data }
        }
        if (verdict.state === 'none') {
          return { status: 'failed', summary: `no CI status or check run reported for ${short(sha)} within ${formatDuration(o.wait)}; if this repository has no CI, switch the step off (environments.${ctx.environmentName}.steps.${ctx.step.id}: false)`, data }
        }
        return { status: 'failed', summary: `CI still pending on ${short(sha)} after ${formatDuration(waited)}: ${verdict.pending.map((c) => `${c.name} (${c.state})`).join(', ')}`, data }
      }
      await sleep(o.pollInterval, undefined, { signal: ctx.signal })
    }
  },
})

function describeCheck(c: CiCheck): string {
  return `${c.name} (${c.state})${c.url ? ` ${c.url}` : ''}`
}

function counts(v: CiVerdict): string {
  if (v.state === 'none') return 'nothing reported yet'
  const passed = v.checks.length - v.failed.length - v.pending.length
  const parts = [`${passed} passed`]
  if (v.failed.length) parts.push(`${v.failed.length} failed (${v.failed.map((c) => c.name).join(', ')})`)
  if (v.pending.length) parts.push(`${v.pending.length} pending (${v.pending.map((c) => c.name).join(', ')})`)
  return parts.join(', ')
}

function short(sha: string): string {
  return /^[0-9a-f]{40}$/i.test(sha) ? sha.slice(0, 7) : sha
}
