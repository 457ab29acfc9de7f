// A minimal rollout made of the team's own commands, runnable anywhere: no database, no provider.
// It shows the engine's contract: gates before the point of no return, undo of every change in
// reverse order after it, and the smoke phase re-run to prove the rollback.
//
//   RELEASE=good rollout run staging     → passes
//   RELEASE=broken rollout run staging   → smoke fails, deploy and migration are undone, exit 1
import { defineConfig, env } from 'rollout'

export default defineConfig({
  contacts: { onCall: 'oncall@example.com', database: 'db-team@example.com', escalation: 'cto@example.com' },
  environments: {
    staging: {
      url: 'http://127.0.0.1:9',
      release: env('RELEASE', 'good'),
      defaults: false,
      add: [
        { id: 'lint', phase: 'preflight', kind: 'command', title: 'Lint passes', options: { command: 'sleep 0.5; echo "0 problems"' } },
        { id: 'types', phase: 'preflight', kind: 'command', title: 'TypeScript errors at or below baseline', options: { command: 'sleep 0.5; echo "0 new errors"' } },
        { id: 'snapshot', phase: 'backup', kind: 'command', title: 'Snapshot the state', options: { command: 'mkdir -p state && cp -r state snapshot.tmp && rm -rf snapshot && mv snapshot.tmp snapshot' } },
        {
          id: 'migrate', phase: 'migrate', kind: 'command', title: 'Apply migrations', changesEnvironment: true,
          options: { command: 'echo "schema v2" > state/schema', undo: 'rm -rf state && cp -r snapshot state' },
        },
        {
          id: 'deploy', phase: 'deploy', kind: 'command', title: 'Deploy the release', changesEnvironment: true,
          options: { command: 'cat state/live 2>/dev/null > state/previous; echo "$RELEASE" > state/live', undo: 'mv state/previous state/live', env: { RELEASE: env('RELEASE', 'good') } },
        },
        { id: 'smoke', phase: 'smoke', kind: 'command', title: 'Smoke test: the live release works', options: { command: 'test "$(cat state/live 2>/dev/null)" != broken' } },
      ],
    },
  },
})
