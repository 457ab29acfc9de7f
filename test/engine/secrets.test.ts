import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { env, secret } from '../../src/config/markers.js'
import { defineStepKind } from '../../src/engine/step-kind.js'
import { makeProject, runCli } from '../support/cli.js'
import { engineProject } from '../support/engine.js'

const TOKEN = 'tok_9f8e7d6c5b4a'
const DB_PASSWORD = 'Sup3r-Secret-Pw'
const ENV = { API_TOKEN: TOKEN, DATABASE_URL: `mysql://deploy:${DB_PASSWORD}@127.0.0.1:3306/terp_staging` }

/** A step that hands its secret options to every channel a step has: its log, its evidence, its summary, its data. */
const leaky = defineStepKind<{ token: string; db: string }>({
  kind: 'leaky',
  description: 'prints what it was given',
  async run(ctx) {
    const line = `token=${ctx.options.token} db=${ctx.options.db}`
    ctx.log(line)
    ctx.log(ctx.options.token)
    await ctx.writeEvidence('output.log', `${line}\n${ctx.options.token}\n`, 'what the step printed')
    await ctx.checkpoint({ seen: line })
    return { status: 'failed', summary: `exit code 1: ${line}`, data: { seen: line } }
  },
})

const config = {
  environments: {
    staging: {
      url: 'http://127.0.0.1:9',
      database: { url: env('DATABASE_URL') },
      defaults: false,
      add: [{ id: 'leaky', phase: 'preflight', kind: 'leaky', options: { token: secret(env('API_TOKEN')), db: env('DATABASE_URL') } }],
    },
  },
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
}

function assertNoSecret(places: [string, string][]) {
  for (const [where, text] of places) {
    assert.ok(!text.includes(TOKEN), `the token leaked into ${where}`)
    assert.ok(!text.includes(DB_PASSWORD), `the database password leaked into ${where}`)
  }
}

// In-process: the engine's record, events, evidence and report, with a fake kind that prints its secrets.
test('a secret never appears in the record, events, evidence or the incident report', async () => {
  const project = engineProject({ config, kinds: [leaky], env: ENV })
  const { result, events } = await project.run()
  assert.equal(result.status, 'failed')
  // The step really logged the values, so redaction (not silence) is what is tested.
  assert.ok(events.some((e) => e.type === 'step-output' && e.line === 'token=[redacted] db=[redacted]'), JSON.stringify(events.filter((e) => e.type === 'step-output')))
  const places: [string, string][] = [
    ['events', JSON.stringify(events)],
    ['result', JSON.stringify(result)],
    ...filesUnder(path.join(project.dir, '.rollout')).map((f) => [f, readFileSync(f).toString('latin1')] as [string, string]),
  ]
  assert.ok(places.some(([f]) => f.endsWith('incident.md')))
  assert.ok(places.some(([f]) => f.endsWith('output.log')))
  assertNoSecret(places)
})

// End-to-end: what the CLI prints of a step's output, from a config file marking the values as a
// team does, and a real command that echoes them.
const CONFIG_FILE = `import { defineConfig, env, secret } from 'rollout'

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

test('CLI: a secret never appears in the plain output', async () => {
  const dir = makeProject({})
  writeFileSync(path.join(dir, 'rollout.config.mjs'), CONFIG_FILE)
  const plain = await runCli(['run', 'staging', '--verbose'], { cwd: dir, env: ENV })
  assert.equal(plain.code, 1)
  assert.match(plain.stdout, /token=\[redacted\] db=\[redacted\]/)
  assertNoSecret([['plain output', plain.stdout + plain.stderr]])
})

test('the state folder and evidence are owner-only', async () => {
  const project = engineProject({ config, kinds: [leaky], env: ENV })
  await project.run()
  assert.equal(statSync(path.join(project.dir, '.rollout')).mode & 0o777, 0o700)
  const files = filesUnder(path.join(project.dir, '.rollout', 'runs'))
  assert.ok(files.some((f) => f.endsWith('output.log')), 'no evidence was written')
  for (const file of files) assert.equal(statSync(file).mode & 0o077, 0, `${file} is readable by others`)
})
