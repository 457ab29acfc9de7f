/**
 * How long the migration rehearsal takes on the tests' staging database (3 tables, 8,200 rows; see
 * test/faults/fault-env.ts): `rollout run staging` with a verified backup and the rehearse step,
 * once per mode and repeat, timed from the run record. Prints a table; never passes or fails.
 *
 *   npm run -s build && node --import tsx bench/rehearsal.ts [--repeat 3]
 *
 * Server: ROLLOUT_TEST_MYSQL_URL, else mysql://root@127.0.0.1:3306. Each run's database is dropped.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runCli } from '../test/support/cli.js'
import { readRecord } from '../test/support/record.js'
import { faultEnv } from '../test/faults/fault-env.js'

const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1] ?? 3) || 3

async function once(mode: 'schema' | 'data'): Promise<{ stepMs: number; copyMs: number; summary: string }> {
  const env = await faultEnv({ release: 'v2' })
  try {
    const file = path.join(env.dir, 'rollout.config.mjs')
    const config = JSON.parse(readFileSync(file, 'utf8').replace(/^export default /, ''))
    const staging = config.environments.staging
    staging.add.splice(1, 0, { id: 'backup-verify', phase: 'backup', kind: 'backup-verify', after: ['backup'] }, { id: 'rehearse', phase: 'environment', kind: 'rehearse' })
    staging.migrate.rehearse = mode
    writeFileSync(file, `export default ${JSON.stringify(config)}\n`)
    const result = await runCli(['run', 'staging'], { cwd: env.dir })
    if (result.code !== 0) throw new Error(`the run failed: ${result.stdout}${result.stderr}`)
    const record = await readRecord(env.dir)
    const step = record.steps.get(record.runs[0]!.id)!.find((s) => s.stepId === 'rehearse')!
    return { stepMs: step.durationMs!, copyMs: Number(step.data.copyMs), summary: step.summary! }
  } finally {
    await env.drop()
  }
}

console.log('| mode | run | rehearse step (ms) | of which the copy (ms) |\n|---|---|---|---|')
for (const mode of ['schema', 'data'] as const) {
  for (let i = 1; i <= repeat; i++) {
    const r = await once(mode)
    console.log(`| ${mode} | ${i} | ${Math.round(r.stepMs)} | ${r.copyMs} |`)
  }
}
