/** A commit status as the combined-status endpoint lists it (the latest per context). */
export interface CommitStatus {
  context: string
  state: string
  target_url?: string | null
  description?: string | null
}

/** A check run as the check-runs endpoint lists it. */
export interface CheckRun {
  id: number
  name: string
  status: string
  conclusion: string | null
  html_url?: string | null
  details_url?: string | null
  app?: { slug?: string } | null
}

export interface CiCheck {
  name: string
  source: 'status' | 'check-run'
  outcome: 'passed' | 'failed' | 'pending'
  /** GitHub's own word: the status state, or the check run's conclusion or status. */
  state: string
  url?: string
}

export interface CiVerdict {
  /** none: nothing reported for the commit yet. */
  state: 'success' | 'failure' | 'pending' | 'none'
  checks: CiCheck[]
  failed: CiCheck[]
  pending: CiCheck[]
}

const FAILED_CONCLUSIONS = new Set(['failure', 'cancelled', 'timed_out', 'action_required', 'stale', 'startup_failure'])

/**
 * Judges a commit by its statuses and check runs together. GitHub's combined `state` is not used:
 * it says `pending` when a repository reports no statuses at all (check runs only), so it would hold
 * up every repository that only uses GitHub Actions.
 */
export function ciVerdict(statuses: CommitStatus[], checkRuns: CheckRun[], ignore: string[] = []): CiVerdict {
  const skip = ignore.map(globToRegExp)
  const kept = (name: string) => !skip.some((re) => re.test(name))
  const checks: CiCheck[] = []
  for (const s of statuses) {
    if (!kept(s.context)) continue
    const outcome = s.state === 'success' ? 'passed' : s.state === 'pending' ? 'pending' : 'failed'
    checks.push({ name: s.context, source: 'status', outcome, state: s.state, url: s.target_url ?? undefined })
  }
  for (const run of latestRuns(checkRuns)) {
    if (!kept(run.name)) continue
    const outcome = run.status !== 'completed' ? 'pending' : FAILED_CONCLUSIONS.has(run.conclusion ?? '') ? 'failed' : run.conclusion === null ? 'pending' : 'passed'
    checks.push({ name: run.name, source: 'check-run', outcome, state: run.status === 'completed' ? (run.conclusion ?? 'completed') : run.status, url: run.html_url ?? run.details_url ?? undefined })
  }
  const failed = checks.filter((c) => c.outcome === 'failed')
  const pending = checks.filter((c) => c.outcome === 'pending')
  const state = checks.length === 0 ? 'none' : failed.length ? 'failure' : pending.length ? 'pending' : 'success'
  return { state, checks, failed, pending }
}

/** A re-run leaves the older run in the list; only the newest run of each name (per app) counts. */
function latestRuns(runs: CheckRun[]): CheckRun[] {
  const byName = new Map<string, CheckRun>()
  for (const run of runs) {
    const key = `${run.app?.slug ?? ''}\u0000${run.name}`
    const seen = byName.get(key)
    if (!seen || run.id > seen.id) byName.set(key, run)
  }
  return [...byName.values()]
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
}
