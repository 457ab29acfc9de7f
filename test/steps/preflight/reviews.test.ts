import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import reviews from '../../../src/steps/preflight/reviews.js'
import { paged, startFakeGitHub } from '../../adapters/github/fake-github.js'
import { gate, tempDir } from './harness.js'

const TOKEN = 'ghp_testtoken_reviews_42'
const PULLS = '/repos/acme/terp/pulls'

const pull = { number: 12, state: 'open', draft: false, html_url: 'https://github.com/acme/terp/pull/12', title: 'Orders: bulk edit', head: { ref: 'feat/orders', sha: 'f00d' } }

function review(id: number, login: string, userId: number, state: string, at: string) {
  return { id, user: { login, id: userId }, state, submitted_at: state === 'PENDING' ? null : at, commit_id: 'f00d', html_url: `https://github.com/acme/terp/pull/12#pullrequestreview-${id}` }
}

function threads(nodes: { isResolved: boolean; path: string }[]) {
  return {
    body: {
      data: {
        repository: {
          pullRequest: {
            reviewDecision: 'APPROVED',
            reviewThreads: { totalCount: nodes.length, pageInfo: { hasNextPage: false, endCursor: null }, nodes: nodes.map((n, i) => ({ id: `T${i}`, isOutdated: false, ...n })) },
          },
        },
      },
    },
  }
}

async function setup(t: { after(fn: () => unknown): void }, list: ReturnType<typeof review>[], threadNodes: { isResolved: boolean; path: string }[] = []) {
  const gh = await startFakeGitHub({ token: TOKEN })
  t.after(() => gh.close())
  gh.on('GET', PULLS, (req) => ({ body: req.query.get('head') === 'acme:feat/orders' && req.query.get('state') === 'open' ? [pull] : [] }))
  gh.on('GET', `${PULLS}/12/reviews`, (req) => paged(req, list, 2))
  gh.on('POST', '/graphql', threads(threadNodes))
  const before = process.env.GITHUB_TOKEN
  process.env.GITHUB_TOKEN = TOKEN
  t.after(() => (before === undefined ? delete process.env.GITHUB_TOKEN : (process.env.GITHUB_TOKEN = before)))
  return gh
}

test('reviews: a change request by a second reviewer blocks, although the first approved', async (t) => {
  const gh = await setup(t, [
    review(1, 'alice', 101, 'APPROVED', '2026-11-20T10:00:00Z'),
    review(2, 'bob', 102, 'CHANGES_REQUESTED', '2026-11-20T11:00:00Z'),
    review(3, 'carol', 103, 'PENDING', ''),
  ])
  const h = gate(t, reviews, { options: { repo: 'acme/terp', branch: 'feat/orders', apiUrl: gh.url } })
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, '#12 has changes requested by bob (https://github.com/acme/terp/pull/12)')
  // The reviews came in two pages; the third (pending) one was read and ignored.
  assert.equal(gh.calls('GET', `${PULLS}/12/reviews`), 2)
  const evidence = JSON.parse(h.readEvidence('reviews.json'))
  assert.deepEqual(evidence.pullRequests[0].opinions.map((o: { login: string; state: string }) => `${o.login}:${o.state}`), ['alice:APPROVED', 'bob:CHANGES_REQUESTED'])
})

test('reviews: a later comment does not replace an approval, and a re-review after changes counts', async (t) => {
  const gh = await setup(t, [
    review(1, 'alice', 101, 'APPROVED', '2026-11-20T10:00:00Z'),
    review(2, 'bob', 102, 'CHANGES_REQUESTED', '2026-11-20T11:00:00Z'),
    review(3, 'alice', 101, 'COMMENTED', '2026-11-20T12:00:00Z'),
    review(4, 'bob', 102, 'APPROVED', '2026-11-21T09:00:00Z'),
    review(5, 'bob', 102, 'COMMENTED', '2026-11-21T09:30:00Z'),
  ], [{ isResolved: true, path: 'src/orders.ts' }])
  const h = gate(t, reviews, { options: { repo: 'acme/terp', branch: 'feat/orders', apiUrl: gh.url } })
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(outcome.summary, '#12 approved by alice, bob; no change requested, no unresolved thread')
})

test('reviews: unresolved review threads block by default and warn when configured so', async (t) => {
  const gh = await setup(t, [review(1, 'alice', 101, 'APPROVED', '2026-11-20T10:00:00Z')], [
    { isResolved: false, path: 'src/orders.ts' },
    { isResolved: true, path: 'src/inventory.ts' },
    { isResolved: false, path: 'drizzle/schema.ts' },
  ])
  const blocking = await gate(t, reviews, { options: { repo: 'acme/terp', branch: 'feat/orders', apiUrl: gh.url } }).run()
  assert.equal(blocking.status, 'failed')
  assert.equal(blocking.summary, '#12 has 2 unresolved review threads (src/orders.ts, drizzle/schema.ts)')
  const query = JSON.parse(gh.requests.find((r) => r.path === '/graphql')!.body)
  assert.deepEqual(query.variables, { o: 'acme', r: 'terp', n: 12, after: null })
  assert.equal(gh.requests.find((r) => r.path === '/graphql')!.headers.authorization, `Bearer ${TOKEN}`)

  const warning = await gate(t, reviews, { options: { repo: 'acme/terp', branch: 'feat/orders', apiUrl: gh.url, threads: 'warn' } }).run()
  assert.equal(warning.status, 'warning')
  const ignored = await gate(t, reviews, { options: { repo: 'acme/terp', branch: 'feat/orders', apiUrl: gh.url, threads: 'ignore' } }).run()
  assert.equal(ignored.status, 'passed', ignored.summary)
})

test('reviews: the checked-out branch is looked up, and a branch without a pull request is a warning', async (t) => {
  const gh = await setup(t, [])
  const repo = tempDir(t, 'rollout-git-')
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } })
  git('init', '-q', '-b', 'feat/calendar')
  writeFileSync(path.join(repo, 'a.txt'), 'a\n')
  git('add', 'a.txt')
  git('commit', '-q', '-m', 'a')
  git('remote', 'add', 'origin', 'https://github.com/acme/terp.git')
  const outcome = await gate(t, reviews, { cwd: repo, options: { apiUrl: gh.url } }).run()
  assert.equal(outcome.status, 'warning')
  assert.equal(outcome.summary, 'no open pull request for branch feat/calendar in acme/terp')
  assert.equal(gh.requests.find((r) => r.path === PULLS)?.query.get('head'), 'acme:feat/calendar')
})
