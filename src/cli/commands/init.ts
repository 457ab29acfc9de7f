import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { RolloutError } from '../../engine/errors.js'

const TEMPLATE = `// Rollout config: the staging runbook as data. Every step not mentioned here keeps the
// runbook's default; \`rollout plan staging\` shows exactly what \`rollout run staging\` will do.
import { defineConfig, env, secret } from 'rollout'

export default defineConfig({
  contacts: {
    // Named in announcements and incident reports.
    // onCall: 'oncall@example.com',
    // database: 'db-team@example.com',
    // escalation: 'cto@example.com',
  },
  environments: {
    staging: {
      // The app's base URL, e.g. https://staging.terp-app.local
      url: env('STAGING_URL'),
      // The target database, e.g. mysql://user:password@host:3306/terp_staging. secret(): never printed.
      database: { url: secret(env('DATABASE_URL')) },
      // Where the app runs: 'railway', 'vercel', 'digitalocean', 'command' or 'local'.
      // provider: { kind: 'railway', service: 'terp' },
      backups: { dir: '.rollout/backups', maxAge: '24h', verify: 'quick' },
      health: { paths: ['/api/health', '/health'] },
      // hostGuard: { allowedHosts: ['staging.terp-app.local'] },
      // A private CA the staging certificate is issued by (every HTTPS check and the browser trust it):
      // ca: 'certs/staging-ca.pem',
      migrate: { command: 'pnpm db:push', validate: 'pnpm validate:schema' },
      monitor: { window: '30m' },
      // Switch a default step off, or tune it, by its id:
      // steps: { reviews: false, 'unit-tests': { timeout: '20m', retries: 1 } },
      // Add your own steps to any phase:
      // add: [{ id: 'warm-cache', phase: 'smoke', kind: 'http', options: { url: '/api/warm' } }],
    },
  },
})
`

/** `rollout init`: a commented config for staging whose values come from the environment. */
export function initConfig(cwd: string, force: boolean): string {
  const file = path.join(cwd, 'rollout.config.ts')
  if (existsSync(file) && !force) {
    throw new RolloutError('USAGE', `${file} already exists`, 'pass --force to overwrite it')
  }
  writeFileSync(file, TEMPLATE)
  return file
}
