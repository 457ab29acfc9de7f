import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { makeProject, runCli } from '../support/cli.js'

const TOKEN = 'tok_9f8e7d6c5b4a'
const DB_PASSWORD = 'Sup3r-Secret-Pw'

const CONFIG = `import { defineConfig, env, secret } from 'rollout'

export default defineConfig({
  environments: {
    staging: {
      url: 'http://127.0.0.1:9',
      database: { url: env('DATABASE_URL') },
      defaults: false,
      add: [
        { id: 'leaky', phase: 'preflight', kind: 'command', options: {
          command: 'echo "token=$API_TOKEN db=$DB"; echo "$API_TOKEN" >&2; exit 1',
          env: { API_TOKEN: secret(env('API_TOKEN')), DB: env('DATABASE_URL') },
        } },
      ],
    },
  },
})
`

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
}

test('a secret never appears in output, the record, events, evidence or the incident report', async () => {
  const dir = makeProject({})
  writeFileSync(path.join(dir, 'rollout.config.mjs'), CONFIG)
  const env = { API_TOKEN: TOKEN, DATABASE_URL: `mysql://deploy:${DB_PASSWORD}@127.0.0.1:3306/terp_staging` }
  const plain = await runCli(['run', 'staging', '--verbose'], { cwd: dir, env })
  const json = await runCli(['run', 'staging', '--json'], { cwd: dir, env })
  assert.equal(plain.code, 1)
  assert.equal(json.code, 1)
  // The step really printed the values, so redaction (not silence) is what is tested.
  assert.match(plain.stdout, /token=\[redacted\] db=\[redacted\]/)
  const places: [string, string][] = [
    ['plain output', plain.stdout + plain.stderr],
    ['json output', json.stdout + json.stderr],
    ...filesUnder(path.join(dir, '.rollout')).map((f) => [f, readFileSync(f).toString('latin1')] as [string, string]),
  ]
  assert.ok(places.some(([f]) => f.endsWith('incident.md')))
  assert.ok(places.some(([f]) => f.endsWith('output.log')))
  for (const [where, text] of places) {
    assert.ok(!text.includes(TOKEN), `the token leaked into ${where}`)
    assert.ok(!text.includes(DB_PASSWORD), `the database password leaked into ${where}`)
  }
})

test('the state folder and evidence are owner-only', async () => {
  const dir = makeProject({ environments: { staging: { url: 'http://127.0.0.1:9', defaults: false, add: [{ id: 'a', phase: 'preflight', kind: 'command', options: { command: 'echo hi' } }] } } })
  await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(statSync(path.join(dir, '.rollout')).mode & 0o777, 0o700)
  for (const file of filesUnder(path.join(dir, '.rollout', 'runs'))) assert.equal(statSync(file).mode & 0o077, 0, `${file} is readable by others`)
})
