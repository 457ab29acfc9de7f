import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeProject, runCli } from '../support/cli.js'

// A provider, so the deploy step of the default plan has one: each case breaks one thing only.
const env = (extra: Record<string, unknown>) => ({ environments: { staging: { url: 'https://s.example', provider: { kind: 'command', deploy: './deploy.sh {release}' }, ...extra } } })

test('an unknown key lists the keys valid at its place', async () => {
  const cases: { config: unknown; expect: RegExp }[] = [
    { config: env({ procedures: [] }), expect: /environments\.staging: unknown key "procedures" \(valid keys: url, database, provider, .*steps, add, lock\)/ },
    { config: { ...env({}), contact: {} }, expect: /^unknown key "contact" \(valid keys: contacts, environments, stateDir, store, storage, evidence, kinds\)/m },
    { config: env({ lock: { leas: '1m' } }), expect: /environments\.staging\.lock: unknown key "leas" \(valid keys: lease\)/ },
    { config: env({ steps: { reviews: { gaet: 'warning' } } }), expect: /environments\.staging\.steps\.reviews: unknown key "gaet" \(valid keys: title, gate, timeout, retries, after, changesEnvironment, options\)/ },
    { config: env({ add: [{ id: 'x', phase: 'smoke', kind: 'http', options: { url: '/', expectt: 200 } }] }), expect: /environments\.staging\.add\[0\]\.options: unknown key "expectt" \(valid keys: url, method, .*expectStatus/ },
  ]
  for (const c of cases) {
    const result = await runCli(['plan', 'staging'], { cwd: makeProject(c.config) })
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, c.expect)
  }
})
