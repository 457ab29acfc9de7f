import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { makeProject, runCli } from '../support/cli.js'

// A provider, so the deploy step of the default plan has one: each case breaks one thing only.
const env = (extra: Record<string, unknown>) => ({ environments: { staging: { url: 'https://s.example', provider: { kind: 'command', deploy: './deploy.sh {release}' }, ...extra } } })
const step = (kind: string, options: Record<string, unknown>) => ({ add: [{ id: 'x', phase: 'smoke', kind, options }] })

// Each of these used to pass `rollout plan` and be found, if at all, by a step during the run.
const cases: { name: string; config: unknown; expect: RegExp }[] = [
  { name: 'command expect not a regex', config: env(step('command', { command: 'true', expect: '(' })), expect: /environments\.staging\.add\[0\]\.options: expect: expected a valid regular expression/ },
  { name: 'resolve to a host name', config: env({ resolve: { 's.example': 'not-an-ip' } }), expect: /environments\.staging\.resolve\["s\.example"\]: expected an IP address/ },
  { name: 'unknown compression', config: env({ backups: { compression: 'lz4' } }), expect: /environments\.staging\.backups\.compression: expected one of "auto", "zstd", "gzip", got "lz4"/ },
  { name: 'empty monitoring window', config: env({ monitor: { window: '0s' } }), expect: /environments\.staging\.monitor\.window: expected a duration longer than 0/ },
  { name: 'monitor step interval', config: env({ steps: { monitor: { options: { interval: 'often' } } } }), expect: /environments\.staging\.steps\.monitor\.options: interval: expected a duration/ },
  { name: 'monitor section interval', config: env({ monitor: { interval: 'often' } }), expect: /environments\.staging\.monitor\.interval: expected a duration/ },
  { name: 'empty migrate command', config: env({ migrate: { command: '' } }), expect: /environments\.staging\.migrate\.command: expected a non-empty string/ },
  { name: 'http url that is no URL', config: env(step('http', { url: 'ht!tp://::' })), expect: /environments\.staging\.add\[0\]\.options: url: expected a path such as "\/api\/health" or an http:\/\/ or https:\/\/ URL/ },
  { name: 'lease too short for the heartbeat', config: env({ lock: { lease: '0s' } }), expect: /environments\.staging\.lock\.lease: expected at least "5s": the lock is renewed by a heartbeat/ },
  { name: 'migrate.restore read only during a rollback', config: env({ migrate: { restore: 'sometimes' } }), expect: /environments\.staging\.migrate\.restore: expected one of "auto", "always", "never"/ },
  { name: 'logs section read after the deploy', config: env({ logs: { pattern: '[' } }), expect: /environments\.staging\.logs\.pattern: expected a valid regular expression/ },
  { name: 'monitor error source', config: env({ monitor: { errors: { source: 'sentry' } } }), expect: /environments\.staging\.monitor\.errors\.source: expected one of "logs", "prometheus", "metric", "none", got "sentry"/ },
]

test('mistakes a run would meet after the point of no return stop `rollout plan`, exit 2', async () => {
  for (const c of cases) {
    const result = await runCli(['plan', 'staging'], { cwd: makeProject(c.config) })
    assert.equal(result.code, 2, `${c.name}: exit ${result.code}\n${result.stderr}`)
    assert.match(result.stderr, c.expect, c.name)
    assert.doesNotMatch(result.stderr, /\n\s+at /, c.name)
  }
})

test('a config without a default export says so and shows the expected form', async () => {
  const dir = makeProject({})
  writeFileSync(path.join(dir, 'rollout.config.mjs'), `export const config = { environments: { staging: { url: 'https://s.example' } } }\n`)
  const result = await runCli(['plan', 'staging'], { cwd: dir })
  assert.equal(result.code, 2, result.stderr)
  assert.match(result.stderr, /rollout\.config\.mjs has no default export \(it exports config\)/)
  assert.match(result.stderr, /export default defineConfig\(\{/)
  assert.doesNotMatch(result.stderr, /defines no environments/)
})
