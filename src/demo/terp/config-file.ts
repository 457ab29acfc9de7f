/** What the demo's generated config needs to know about its sandbox. */
export interface DemoConfigInput {
  host: string
  port: number
  /** Absolute paths of the sandbox's CA, server certificate and key. */
  caFile: string
  certFile: string
  keyFile: string
  /** How long the monitoring window lasts in the demo ('20s'): long enough to see, short enough to wait for. */
  monitorWindow: string
  /** The sandbox's stand-ins for the team's chat webhook and mail server. */
  webhookUrl: string
  smtpPort: number
}

/**
 * The demo's rollout.config.ts, as a user would write it for their own host: the runbook's default
 * plan, with only what the sandbox cannot offer switched off. Pure: the same sandbox gives the same
 * file. Secrets come from the .env file written beside it, never from this text.
 */
export function demoConfigText(c: DemoConfigInput): string {
  const q = (s: string) => JSON.stringify(s)
  return `// Written by \`rollout demo\`: the staging environment of the TERP example app, all on this machine.
// Run it again with:  rollout run staging --release v2   (from this folder)
import { defineConfig, env, secret } from 'rollout'

export default defineConfig({
  contacts: { onCall: 'oncall@terp.example', database: 'db-team@terp.example', escalation: 'cto@terp.example' },
  environments: {
    staging: {
      // TERP's health and readiness paths, smoke flows and tRPC calls, wait-live on /version.json's commit.
      preset: 'terp',
      url: ${q(`https://${c.host}:${c.port}`)},
      // No /etc/hosts edit: rollout's own clients resolve the staging name to this machine.
      resolve: { ${q(c.host)}: '127.0.0.1' },
      // The sandbox's own certificate authority: every HTTPS check (and the browser) trusts it.
      ca: ${q(c.caFile)},
      database: { url: secret(env('DATABASE_URL')) },
      provider: {
        kind: 'local',
        root: 'site',
        source: 'build/{release}',
        start: 'node --import tsx src/server.ts',
        port: ${c.port},
        health: { path: '/health/ready', https: true, hostHeader: ${q(c.host)}, ca: ${q(c.caFile)} },
        keep: 3,
        env: {
          DATABASE_URL: secret(env('DATABASE_URL')),
          SESSION_SECRET: secret(env('SESSION_SECRET')),
          ALLOWED_HOSTS: ${q(c.host)},
          TLS_CERT_FILE: ${q(c.certFile)},
          TLS_KEY_FILE: ${q(c.keyFile)},
        },
      },
      backups: { dir: 'backups', keep: 5, verify: 'quick' },
      hostGuard: { allowedHosts: [${q(c.host)}] },
      // Each release folder brings its own migrations; ROLLOUT_RELEASE names the one being deployed.
      migrate: {
        command: 'cd build/$ROLLOUT_RELEASE && node --import tsx src/migrate.ts',
        validate: 'cd build/$ROLLOUT_RELEASE && node --import tsx src/migrate.ts --check',
      },
      preflight: {
        schemaValidation: 'cd build/$ROLLOUT_RELEASE && node --import tsx src/migrate.ts --check-files',
      },
      smoke: {
        // The seeded admin; TERP's would be its INITIAL_ADMIN_USERNAME.
        terp: {
          user: { username: 'demo@terp.example', password: secret(env('SMOKE_PASSWORD')) },
          // Place a real order (staging data): the create-order flow is what v3-broken breaks.
          order: { submit: 'data-testid=order-submit', created: 'data-testid=order-created' },
        },
      },
      monitor: { window: ${q(c.monitorWindow)}, interval: '5s' },
      notify: [
        { kind: 'console' },
        // Stand-ins for the team's chat and mail, open while \`rollout demo\` runs; what they get lands in inbox/.
        { kind: 'webhook', url: ${q(c.webhookUrl)}, secret: secret(env('WEBHOOK_SECRET')) },
        { kind: 'email', host: '127.0.0.1', port: ${c.smtpPort}, starttls: 'off', from: 'rollout@terp.example', to: 'team@terp.example' },
      ],
      steps: {
        // The sandbox has no GitHub: the commit's CI status and its reviews cannot be read here.
        'ci-status': false,
        reviews: false,
        // The example app carries no type-check baseline or unit tests of its own.
        'typescript-baseline': false,
        'unit-tests': false,
        // Its check reads the release's migration files and exits 1 on a problem; it writes no findings report.
        'schema-validation': { options: { report: false } },
      },
    },
  },
})
`
}
