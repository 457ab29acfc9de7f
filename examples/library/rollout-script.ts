/**
 * Rollout as a library: plan, run and, when it went wrong, look at what the record says. Run it
 * from a project whose database is in DATABASE_URL:
 *   DATABASE_URL=mysql://user:password@127.0.0.1:3306/app node --import tsx rollout-script.ts
 */
import { backupEnvironment, defineConfig, env, planRollout, rollbackRollout, runRollout, secret, showRun } from 'rollout'
import { featureFlag } from './feature-flag.js'

const config = defineConfig({
  kinds: [featureFlag],
  environments: {
    staging: {
      url: 'https://staging.example.com',
      database: { url: secret(env('DATABASE_URL')) },
      backups: { dir: 'backups' },
      // Only the steps below: a backup, the team's own flag switch, and a smoke check.
      defaults: false,
      add: [
        { id: 'backup', phase: 'backup', kind: 'backup' },
        { id: 'new-checkout', phase: 'deploy', kind: 'feature-flag', options: { file: 'flags.json', flag: 'newCheckout', value: true } },
        { id: 'smoke', phase: 'smoke', kind: 'command', options: { command: 'test -f flags.json' } },
      ],
    },
  },
})

const plan = await planRollout({ config, environment: 'staging' })
console.log(plan.steps.map((s) => `${s.phase} ${s.id} (${s.kind})`).join('\n'))

const backup = await backupEnvironment({ config, environment: 'staging' })
console.log(`backup ${backup.id}: ${backup.verification.ok ? 'verified' : 'NOT verified'}`)

const run = await runRollout({ config, environment: 'staging', onEvent: (e) => e.type === 'step-finished' && console.log(`${e.stepId}: ${e.status}`) })
console.log(`${run.status}: ${run.summary}`)
if (run.status === 'passed' && process.argv.includes('--undo')) {
  const undone = await rollbackRollout({ config, target: run.runId, reason: 'trying the undo' })
  console.log(`${undone.status}: ${undone.summary}`)
}
const { steps } = await showRun({ config, runId: run.runId })
for (const s of steps) console.log(`${s.pass} ${s.stepId}: ${s.status}${s.undoStatus ? ` (undo: ${s.undoStatus})` : ''}`)
process.exitCode = run.status === 'passed' ? 0 : 1
