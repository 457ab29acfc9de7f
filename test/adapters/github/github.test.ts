import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GitHubClient } from '../../../src/adapters/github/client.js'
import { ciVerdict, type CheckRun } from '../../../src/adapters/github/checks.js'
import { describeFailure } from '../../../src/adapters/github/errors.js'
import { nextPageUrl } from '../../../src/adapters/github/link.js'
import { apiUrlForHost, graphqlUrlFor, parseRemoteUrl } from '../../../src/adapters/github/remote.js'
import { latestOpinions } from '../../../src/adapters/github/reviews.js'
import { startFakeGitHub } from './fake-github.js'

test('remote URLs in every git spelling name the repository and its host', () => {
  assert.deepEqual(parseRemoteUrl('git@github.com:acme/terp.git'), { host: 'github.com', owner: 'acme', name: 'terp' })
  assert.deepEqual(parseRemoteUrl('https://github.com/acme/terp'), { host: 'github.com', owner: 'acme', name: 'terp' })
  assert.deepEqual(parseRemoteUrl('https://x-access-token@github.com/acme/terp.git/'), { host: 'github.com', owner: 'acme', name: 'terp' })
  assert.deepEqual(parseRemoteUrl('ssh://git@ghe.corp.example:2222/platform/terp.git'), { host: 'ghe.corp.example', owner: 'platform', name: 'terp' })
  assert.deepEqual(parseRemoteUrl('gh-work:acme/terp.git'), { host: 'gh-work', owner: 'acme', name: 'terp' })
  assert.equal(parseRemoteUrl('/srv/git/terp.git'), null)
  assert.equal(apiUrlForHost('github.com'), 'https://api.github.com')
  assert.equal(apiUrlForHost('ghe.corp.example'), 'https://ghe.corp.example/api/v3')
  assert.equal(graphqlUrlFor('https://api.github.com'), 'https://api.github.com/graphql')
  assert.equal(graphqlUrlFor('https://ghe.corp.example/api/v3/'), 'https://ghe.corp.example/api/graphql')
})

test('the next page comes from the Link header', () => {
  const link = '<https://api.github.com/repositories/1/pulls/2/reviews?page=3>; rel="next", <https://api.github.com/repositories/1/pulls/2/reviews?page=5>; rel="last"'
  assert.equal(nextPageUrl(link), 'https://api.github.com/repositories/1/pulls/2/reviews?page=3')
  assert.equal(nextPageUrl('<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=1>; rel="first"'), null)
  assert.equal(nextPageUrl(undefined), null)
})

test('latest opinion per reviewer: pending skipped, comments do not replace, dismissals clear', () => {
  const r = (id: number, login: string, userId: number, state: string) => ({ id, user: { login, id: userId }, state })
  const opinions = latestOpinions([
    r(1, 'alice', 1, 'CHANGES_REQUESTED'),
    r(2, 'bob', 2, 'COMMENTED'),
    r(3, 'alice', 1, 'DISMISSED'),
    r(4, 'carol', 3, 'APPROVED'),
    r(5, 'carol', 3, 'COMMENTED'),
    r(6, 'dave', 4, 'APPROVED'),
    r(7, 'dave', 4, 'PENDING'),
    // A renamed account is the same reviewer: reviews are keyed by user id.
    r(8, 'bobby', 2, 'CHANGES_REQUESTED'),
  ])
  assert.deepEqual(opinions.map((o) => `${o.login}:${o.state}`), ['alice:DISMISSED', 'bobby:CHANGES_REQUESTED', 'carol:APPROVED', 'dave:APPROVED'])
})

test('the CI verdict reads statuses and check runs together', () => {
  const run = (id: number, name: string, status: string, conclusion: string | null): CheckRun => ({ id, name, status, conclusion, html_url: `https://gh/${id}` })
  assert.equal(ciVerdict([], []).state, 'none')
  assert.equal(ciVerdict([], [run(1, 'a', 'completed', 'neutral'), run(2, 'b', 'completed', 'skipped')]).state, 'success')
  // A re-run that passed replaces the failed run of the same name.
  assert.equal(ciVerdict([], [run(1, 'test', 'completed', 'failure'), run(9, 'test', 'completed', 'success')]).state, 'success')
  const v = ciVerdict([{ context: 'ci/deploy-preview', state: 'error' }], [run(3, 'lint', 'waiting', null), run(4, 'e2e', 'completed', 'action_required')], ['ci/deploy-*'])
  assert.equal(v.state, 'failure')
  assert.deepEqual(v.failed.map((c) => c.name), ['e2e'])
  assert.deepEqual(v.pending.map((c) => c.name), ['lint'])
})

test('secondary rate limits and missing repositories are explained', () => {
  const now = new Date('2026-11-25T10:00:00Z')
  const secondary = describeFailure(
    { status: 403, headers: { 'retry-after': '60', 'x-ratelimit-remaining': '4000' }, body: '{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}' },
    { what: 'GET /repos/acme/terp/pulls', tokenEnv: 'GITHUB_TOKEN', tokenSet: true, now },
  )
  assert.equal(secondary.failure, 'rate-limited')
  assert.equal(secondary.resetAt, '2026-11-25T10:01:00.000Z')
  assert.match(secondary.message, /secondary rate limit hit \(403: You have exceeded.*\); retry after 60 s$/)
  const missing = describeFailure({ status: 404, headers: {}, body: '{"message":"Not Found"}' }, { what: 'GET /repos/acme/terp/commits/main/status', tokenEnv: 'GH_TOKEN', tokenSet: false })
  assert.equal(missing.message, 'GitHub answered 404 for GET /repos/acme/terp/commits/main/status; a private repository needs a token in GH_TOKEN')
  const limited = describeFailure({ status: 429, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now.getTime() / 1000 + 90) }, body: '{}' }, { what: 'x', tokenEnv: 'GITHUB_TOKEN', tokenSet: true, now })
  assert.equal(limited.message, 'GitHub API rate limit used up (429); it resets at 2026-11-25T10:01:30.000Z (in 2 minutes)')
})

test('pagination never follows a next link to another origin, so the token stays with GitHub', async (t) => {
  const gh = await startFakeGitHub({ token: 'ghp_origin_check_1' })
  const elsewhere = await startFakeGitHub()
  t.after(() => Promise.all([gh.close(), elsewhere.close()]))
  gh.on('GET', '/repos/acme/terp/pulls', { headers: { link: `<${elsewhere.url}/repos/acme/terp/pulls?page=2>; rel="next"` }, body: [{ number: 1 }] })
  const client = new GitHubClient({ apiUrl: gh.url, token: 'ghp_origin_check_1', tokenEnv: 'GITHUB_TOKEN' })
  const { items } = await client.paginate<{ number: number }[], { number: number }>('/repos/acme/terp/pulls', { state: 'open' }, (p) => p)
  assert.deepEqual(items, [{ number: 1 }])
  assert.equal(elsewhere.requests.length, 0)
})

test('GraphQL errors answered with HTTP 200 become errors', async (t) => {
  const gh = await startFakeGitHub()
  t.after(() => gh.close())
  gh.on('POST', '/graphql', { body: { data: null, errors: [{ type: 'NOT_FOUND', message: "Could not resolve to a Repository with the name 'acme/nope'." }] } })
  const client = new GitHubClient({ apiUrl: gh.url, tokenEnv: 'GITHUB_TOKEN' })
  await assert.rejects(() => client.graphql('query { viewer { login } }', {}), /^GitHubError: GitHub GraphQL query failed: NOT_FOUND: Could not resolve to a Repository with the name 'acme\/nope'\.$/)
})
