import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import ciStatus from '../../../src/steps/preflight/ci-status.js'
import { paged, startFakeGitHub } from '../../adapters/github/fake-github.js'
import { gate, tempDir } from './harness.js'

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const TOKEN = 'ghp_testtoken_ci_0123456789'
const REPO = '/repos/acme/terp/commits'

function combined(sha: string, statuses: { context: string; state: string; target_url?: string }[]) {
  const state = statuses.some((s) => s.state === 'failure' || s.state === 'error') ? 'failure' : statuses.length === 0 || statuses.some((s) => s.state === 'pending') ? 'pending' : 'success'
  return { body: { state, sha, total_count: statuses.length, statuses: statuses.map((s) => ({ description: '', target_url: null, ...s })), repository: { full_name: 'acme/terp' } } }
}

function run(id: number, name: string, status: string, conclusion: string | null) {
  return { id, name, head_sha: SHA, status, conclusion, html_url: `https://github.com/acme/terp/actions/runs/${id}`, details_url: `https://github.com/acme/terp/runs/${id}`, app: { slug: 'github-actions' } }
}

/** Runs with GITHUB_TOKEN set to `token` (null: unset), restoring it afterwards. */
async function withToken<T>(fn: () => Promise<T>, token: string | null = TOKEN): Promise<T> {
  const before = process.env.GITHUB_TOKEN
  if (token === null) delete process.env.GITHUB_TOKEN
  else process.env.GITHUB_TOKEN = token
  try {
    return await fn()
  } finally {
    if (before === undefined) delete process.env.GITHUB_TOKEN
    else process.env.GITHUB_TOKEN = before
  }
}

async function setup(t: { after(fn: () => unknown): void }, opts: { token?: string } = { token: TOKEN }) {
  const gh = await startFakeGitHub(opts)
  t.after(() => gh.close())
  return gh
}

test('ci-status passes when every status and check run succeeded, sending the token only in a header', async (t) => {
  const gh = await setup(t)
  gh.on('GET', `${REPO}/${SHA}/status`, combined(SHA, [{ context: 'ci/build', state: 'success' }]))
  gh.on('GET', `${REPO}/${SHA}/check-runs`, { body: { total_count: 2, check_runs: [run(1, 'test', 'completed', 'success'), run(2, 'lint', 'completed', 'skipped')] } })
  const h = gate(t, ciStatus, { options: { repo: 'acme/terp', ref: SHA, apiUrl: gh.url }, secrets: [] })
  const outcome = await withToken(() => h.run())
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(outcome.summary, '3 CI checks passed on a1b2c3d')
  for (const r of gh.requests) {
    assert.equal(r.headers.authorization, `Bearer ${TOKEN}`)
    assert.equal(r.headers['x-github-api-version'], '2022-11-28')
    assert.ok(!r.path.includes(TOKEN) && ![...r.query.values()].some((v) => v.includes(TOKEN)))
  }
  assert.equal(gh.requests.find((r) => r.path.endsWith('/check-runs'))?.query.get('filter'), 'latest')
  const evidence = JSON.parse(h.readEvidence('ci-status.json'))
  assert.deepEqual(evidence.checks.map((c: { name: string; outcome: string }) => `${c.name}:${c.outcome}`), ['ci/build:passed', 'test:passed', 'lint:passed'])
  assert.ok(!h.logs.join('\n').includes(TOKEN))
})

test('ci-status fails naming each failed check and its URL', async (t) => {
  const gh = await setup(t)
  gh.on('GET', `${REPO}/${SHA}/status`, combined(SHA, [
    { context: 'ci/build', state: 'failure', target_url: 'https://ci.example.com/build/77' },
    { context: 'ci/docs', state: 'success' },
  ]))
  gh.on('GET', `${REPO}/${SHA}/check-runs`, { body: { total_count: 2, check_runs: [run(11, 'test', 'completed', 'timed_out'), run(12, 'e2e', 'in_progress', null)] } })
  const h = gate(t, ciStatus, { options: { repo: 'acme/terp', ref: SHA, apiUrl: gh.url } })
  const outcome = await withToken(() => h.run())
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, '2 CI checks failed on a1b2c3d: ci/build (failure) https://ci.example.com/build/77; test (timed_out) https://github.com/acme/terp/actions/runs/11')
  // A failure is final: nothing is waited for even though e2e still runs.
  assert.equal(gh.calls('GET', `${REPO}/${SHA}/status`), 1)
})

test('ci-status waits for pending checks and passes once they succeed', async (t) => {
  const gh = await setup(t)
  gh.on('GET', `${REPO}/${SHA}/status`, combined(SHA, []))
  gh.on('GET', `${REPO}/${SHA}/check-runs`, ({ call }) => ({
    body: { total_count: 1, check_runs: [call < 3 ? run(5, 'test', call === 1 ? 'queued' : 'in_progress', null) : run(5, 'test', 'completed', 'success')] },
  }))
  const h = gate(t, ciStatus, { options: { repo: 'acme/terp', ref: SHA, apiUrl: gh.url, pollInterval: '10ms', wait: '1m' } })
  const outcome = await withToken(() => h.run())
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(gh.calls('GET', `${REPO}/${SHA}/check-runs`), 3)
  assert.deepEqual(h.logs.filter((l) => l.startsWith('poll')), [
    'poll 1: 0 passed, 1 pending (test)',
    'poll 2: 0 passed, 1 pending (test)',
    'poll 3: 1 passed',
  ])
})

test('ci-status: a combined status of "pending" with no statuses at all is judged by the check runs', async (t) => {
  const gh = await setup(t)
  gh.on('GET', `${REPO}/${SHA}/status`, combined(SHA, []))
  gh.on('GET', `${REPO}/${SHA}/check-runs`, { body: { total_count: 1, check_runs: [run(1, 'build', 'completed', 'success')] } })
  const h = gate(t, ciStatus, { options: { repo: 'acme/terp', ref: SHA, apiUrl: gh.url, pollInterval: '10ms' } })
  const outcome = await withToken(() => h.run())
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(gh.calls('GET', `${REPO}/${SHA}/status`), 1)
})

test('ci-status gives up on checks still pending when the wait is over, naming them', async (t) => {
  const gh = await setup(t)
  gh.on('GET', `${REPO}/${SHA}/status`, combined(SHA, [{ context: 'deploy/preview', state: 'pending' }]))
  gh.on('GET', `${REPO}/${SHA}/check-runs`, { body: { total_count: 1, check_runs: [run(3, 'test', 'completed', 'success')] } })
  const h = gate(t, ciStatus, { options: { repo: 'acme/terp', ref: SHA, apiUrl: gh.url, pollInterval: '20ms', wait: '50ms' } })
  const outcome = await withToken(() => h.run())
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^CI still pending on a1b2c3d after [\d.]+m?s: deploy\/preview \(pending\)$/)
})

test('ci-status reads every page of check runs', async (t) => {
  const gh = await setup(t)
  const runs = [run(1, 'a', 'completed', 'success'), run(2, 'b', 'completed', 'success'), run(3, 'c', 'completed', 'failure')]
  gh.on('GET', `${REPO}/${SHA}/status`, combined(SHA, []))
  gh.on('GET', `${REPO}/${SHA}/check-runs`, (req) => paged(req, runs, 2, (slice) => ({ total_count: runs.length, check_runs: slice })))
  const h = gate(t, ciStatus, { options: { repo: 'acme/terp', ref: SHA, apiUrl: gh.url } })
  const outcome = await withToken(() => h.run())
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /1 CI check failed on a1b2c3d: c \(failure\)/)
  assert.deepEqual(gh.requests.filter((r) => r.path.endsWith('check-runs')).map((r) => r.query.get('page')), [null, '2'])
})

test('ci-status answers a rejected token with the variable to fix', async (t) => {
  const gh = await setup(t)
  const h = gate(t, ciStatus, { options: { repo: 'acme/terp', ref: SHA, apiUrl: gh.url, tokenEnv: 'GITHUB_TOKEN' } })
  const outcome = await withToken(() => h.run(), 'ghp_expired_token_000').catch((e: Error) => ({ status: 'failed', summary: e.message }))
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, 'GitHub rejected the token in GITHUB_TOKEN (401: Bad credentials); check that it is valid, not expired, and authorised for this organisation')
})

test('ci-status answers a rate limit with the time it resets', async (t) => {
  const gh = await setup(t, {})
  const reset = Math.floor(Date.now() / 1000) + 25 * 60
  gh.rateLimit(reset)
  const h = gate(t, ciStatus, { options: { repo: 'acme/terp', ref: SHA, apiUrl: gh.url } })
  const error = await withToken(() => h.run(), null).then(
    () => assert.fail('expected the step to throw'),
    (e: Error) => e,
  )
  const when = new Date(reset * 1000).toISOString()
  assert.match(error.message, new RegExp(`^GitHub API rate limit of 60 requests an hour used up \\(403\\); it resets at ${when.replace(/[.]/g, '\\.')} \\(in 2[45] minutes\\); without a token the limit is 60 an hour: set GITHUB_TOKEN$`))
  assert.ok(h.logs.some((l) => l.includes('GITHUB_TOKEN is not set')))
})

test('ci-status finds the repository in the git remote and the commit at HEAD', async (t) => {
  const gh = await setup(t)
  const repo = tempDir(t, 'rollout-git-')
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim()
  git('init', '-q', '-b', 'main')
  writeFileSync(path.join(repo, 'README.md'), 'terp\n')
  git('add', 'README.md')
  git('commit', '-q', '-m', 'first')
  git('remote', 'add', 'origin', 'git@github.com:acme/terp.git')
  const head = git('rev-parse', 'HEAD')
  gh.on('GET', `${REPO}/${head}/status`, combined(head, [{ context: 'ci', state: 'success' }]))
  gh.on('GET', `${REPO}/${head}/check-runs`, { body: { total_count: 0, check_runs: [] } })
  const h = gate(t, ciStatus, { cwd: repo, options: { apiUrl: gh.url } })
  const outcome = await withToken(() => h.run())
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(outcome.data?.sha, head)
  assert.equal(outcome.data?.repository, 'acme/terp')
})

test('ci-status without a repository option or a git remote names the key to set', async (t) => {
  const h = gate(t, ciStatus, { options: { ref: SHA } })
  await assert.rejects(() => withToken(() => h.run()), /no git remote "origin" in .*; set environments\.staging\.steps\.ci-status\.options\.repo to 'owner\/name'$/)
})

test('ci-status: a commit nothing ever reported on fails once the wait is over, saying how to switch the gate off', async (t) => {
  const gh = await setup(t)
  gh.on('GET', `${REPO}/${SHA}/status`, combined(SHA, []))
  gh.on('GET', `${REPO}/${SHA}/check-runs`, { body: { total_count: 0, check_runs: [] } })
  const outcome = await withToken(() => gate(t, ciStatus, { options: { repo: 'acme/terp', ref: SHA, apiUrl: gh.url, pollInterval: '10ms', wait: '30ms' } }).run())
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, 'no CI status or check run reported for a1b2c3d within 30ms; if this repository has no CI, switch the step off (environments.staging.steps.ci-status: false)')
})
