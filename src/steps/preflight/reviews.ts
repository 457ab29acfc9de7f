import { z } from 'zod'
import { defineStepKind, type StepOutcome } from '../../engine/step-kind.js'
import { currentBranch, headCommit } from '../../adapters/github/git.js'
import { latestOpinions, type Review, type ReviewerOpinion, type ReviewThread } from '../../adapters/github/reviews.js'
import type { GitHubClient } from '../../adapters/github/client.js'
import type { RepoRef } from '../../adapters/github/remote.js'
import { githubOptionShape, githubTarget } from './github-target.js'

export const reviewsOptions = z.strictObject({
  ...githubOptionShape,
  branch: z.string().min(1).optional().describe('Branch whose open pull request is judged; by default the checked-out branch.'),
  threads: z.enum(['block', 'warn', 'ignore']).default('block').describe('What unresolved review threads do to the gate.'),
  noPullRequest: z.enum(['pass', 'warn', 'fail']).default('warn').describe('What happens when the branch has no open pull request.'),
})
export type ReviewsOptions = z.output<typeof reviewsOptions>

interface PullRequest {
  number: number
  state: string
  draft?: boolean
  html_url: string
  title?: string
  head: { ref: string; sha: string }
}

interface ThreadsAnswer {
  repository: {
    pullRequest: {
      reviewDecision: string | null
      reviewThreads: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ReviewThread[] }
    } | null
  } | null
}

const THREADS_QUERY = `query($o:String!,$r:String!,$n:Int!,$after:String){ repository(owner:$o,name:$r){ pullRequest(number:$n){
  reviewDecision
  reviewThreads(first:100, after:$after){ totalCount pageInfo{hasNextPage endCursor}
    nodes{ id isResolved isOutdated path } } } } }`

interface PullVerdict {
  number: number
  url: string
  opinions: ReviewerOpinion[]
  changesRequested: ReviewerOpinion[]
  unresolved: ReviewThread[]
  reviewDecision?: string | null
}

export default defineStepKind<ReviewsOptions>({
  kind: 'reviews',
  description: "the branch's open pull request has no change request outstanding and no unresolved review thread",
  options: reviewsOptions,
  async run(ctx) {
    const o = ctx.options
    const { repo, client } = await githubTarget(ctx, o)
    const repoPath = `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`
    const branch = o.branch ?? (await currentBranch(ctx.cwd, ctx.signal))
    let pulls: PullRequest[]
    let target: string
    if (branch) {
      target = `branch ${branch}`
      pulls = (await client.paginate<PullRequest[], PullRequest>(`${repoPath}/pulls`, { head: `${repo.owner}:${branch}`, state: 'open' }, (p) => p)).items
    } else {
      // A detached checkout (usual in CI) has no branch: find the pull requests through the commit.
      const sha = ctx.environment.release ?? (await headCommit(ctx.cwd, ctx.signal))
      if (!sha) throw new Error(`cannot tell which branch to judge: ${ctx.cwd} is not a git checkout; set environments.${ctx.environmentName}.steps.${ctx.step.id}.options.branch`)
      target = `commit ${sha.slice(0, 12)}`
      const all = (await client.paginate<PullRequest[], PullRequest>(`${repoPath}/commits/${encodeURIComponent(sha)}/pulls`, {}, (p) => p)).items
      pulls = all.filter((p) => p.state === 'open')
    }
    ctx.log(`${target}: ${pulls.length} open pull request${pulls.length === 1 ? '' : 's'}`)

    if (pulls.length === 0) {
      const summary = `no open pull request for ${target} in ${repo.owner}/${repo.name}`
      const status = o.noPullRequest === 'pass' ? 'passed' : o.noPullRequest === 'warn' ? 'warning' : 'failed'
      return { status, summary, data: { repository: `${repo.owner}/${repo.name}`, pullRequests: [] } }
    }

    const verdicts: PullVerdict[] = []
    for (const pull of pulls) verdicts.push(await judgePull(client, repo, repoPath, pull, o.threads !== 'ignore'))
    await ctx.writeEvidence('reviews.json', JSON.stringify({ repository: `${repo.owner}/${repo.name}`, target, pullRequests: verdicts }, null, 2), `reviews of ${target}`)
    return outcome(verdicts, o.threads)
  },
})

async function judgePull(client: GitHubClient, repo: RepoRef, repoPath: string, pull: PullRequest, withThreads: boolean): Promise<PullVerdict> {
  const reviews = (await client.paginate<Review[], Review>(`${repoPath}/pulls/${pull.number}/reviews`, {}, (p) => p)).items
  const opinions = latestOpinions(reviews)
  const verdict: PullVerdict = {
    number: pull.number,
    url: pull.html_url,
    opinions,
    changesRequested: opinions.filter((r) => r.state === 'CHANGES_REQUESTED'),
    unresolved: [],
  }
  if (!withThreads) return verdict
  let after: string | null = null
  for (let page = 0; page < 20; page++) {
    const answer: ThreadsAnswer = await client.graphql<ThreadsAnswer>(THREADS_QUERY, { o: repo.owner, r: repo.name, n: pull.number, after })
    const pr = answer.repository?.pullRequest
    if (!pr) throw new Error(`GitHub GraphQL knows no pull request #${pull.number} in ${repo.owner}/${repo.name}`)
    verdict.reviewDecision = pr.reviewDecision
    verdict.unresolved.push(...pr.reviewThreads.nodes.filter((t) => !t.isResolved))
    if (!pr.reviewThreads.pageInfo.hasNextPage) break
    after = pr.reviewThreads.pageInfo.endCursor
  }
  return verdict
}

function outcome(verdicts: PullVerdict[], threads: ReviewsOptions['threads']): StepOutcome {
  const problems: string[] = []
  const warnings: string[] = []
  for (const v of verdicts) {
    if (v.changesRequested.length) {
      problems.push(`#${v.number} has changes requested by ${v.changesRequested.map((r) => r.login).join(', ')} (${v.url})`)
    }
    if (v.unresolved.length && threads !== 'ignore') {
      const paths = [...new Set(v.unresolved.map((t) => t.path).filter(Boolean))].slice(0, 5)
      const line = `#${v.number} has ${v.unresolved.length} unresolved review thread${v.unresolved.length === 1 ? '' : 's'}${paths.length ? ` (${paths.join(', ')})` : ''}`
      ;(threads === 'block' ? problems : warnings).push(line)
    }
  }
  const data = {
    pullRequests: verdicts.map((v) => ({
      number: v.number,
      url: v.url,
      approvedBy: v.opinions.filter((r) => r.state === 'APPROVED').map((r) => r.login),
      changesRequestedBy: v.changesRequested.map((r) => r.login),
      unresolvedThreads: v.unresolved.length,
    })),
  }
  if (problems.length) return { status: 'failed', summary: problems.concat(warnings).join('; '), data }
  if (warnings.length) return { status: 'warning', summary: warnings.join('; '), data }
  const approvals = verdicts.map((v) => {
    const approved = v.opinions.filter((r) => r.state === 'APPROVED').map((r) => r.login)
    return `#${v.number} ${approved.length ? `approved by ${approved.join(', ')}` : 'not blocked (no approval yet)'}`
  })
  return { status: 'passed', summary: `${approvals.join('; ')}; no change requested${threads === 'ignore' ? '' : ', no unresolved thread'}`, data }
}
