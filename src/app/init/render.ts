import type { Findings, Found } from './detect.js'

/** A TypeScript string literal. */
const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

const PROVIDER_NAMES = { railway: 'Railway', vercel: 'Vercel', digitalocean: 'DigitalOcean App Platform' } as const

/** What init found, one line each: the config's header comment and the command's output say the same. */
export function describeFindings(f: Findings): string[] {
  const said = (label: string, found: Found<unknown> | null, value?: string) => (found ? `${label}: ${value ?? String(found.value)} (${found.from})` : null)
  return [
    `package manager: ${f.packageManager.value} (${f.packageManager.from})`,
    f.scripts.length ? `package.json scripts: ${f.scripts.join(', ')}` : 'package.json scripts: none of db:push, db:migrate, migrate, validate:schema, test:unit, test, typecheck',
    said('framework', f.framework, f.framework?.value === 'next' ? 'Next.js' : 'Express'),
    said('ORM', f.orm, f.orm?.value === 'prisma' ? 'Prisma' : 'Drizzle'),
    said('tRPC', f.trpc, 'yes'),
    said('Playwright', f.playwright, 'the team\'s own tests'),
    f.provider ? `provider: ${PROVIDER_NAMES[f.provider.value]} (${f.provider.from})` : 'provider: no railway.json, railway.toml, vercel.json or .do/app.yaml found',
  ].filter((line): line is string => line !== null)
}

/** The provider section, or a commented one saying what to fill in. */
function providerLines(f: Findings): string[] {
  switch (f.provider?.value) {
    case 'railway':
      return [
        `// Railway, from ${f.provider.from}. The railway CLI uses RAILWAY_TOKEN (or RAILWAY_API_TOKEN); with a project`,
        `// token name the service too: { kind: 'railway', service: 'web' }.`,
        `provider: { kind: 'railway' },`,
      ]
    case 'vercel':
      return [
        `// Vercel, from ${f.provider.from}. The vercel CLI uses VERCEL_TOKEN and the project linked in .vercel/project.json`,
        `// (or set orgId and projectId). target: 'production' (the default), 'preview' or a custom environment such as 'staging'.`,
        `provider: { kind: 'vercel' },`,
      ]
    case 'digitalocean':
      return [
        `// DigitalOcean App Platform, from ${f.provider.from}: set the app's id (doctl apps list) and uncomment.`,
        `// The API token comes from DIGITALOCEAN_ACCESS_TOKEN (or DIGITALOCEAN_TOKEN).`,
        `// provider: { kind: 'digitalocean', app: 'your-app-id' },`,
      ]
    default:
      return [
        `// Where the app runs: 'railway', 'vercel', 'digitalocean', 'command' or 'local' (no provider file was found).`,
        `// Without a provider the deploy step has nothing to deploy with. See docs/reference.md, Providers.`,
        `// provider: { kind: 'command', deploy: './deploy.sh {release}', rollback: './rollback.sh {deploymentId}' },`,
      ]
  }
}

interface Switch {
  id: string
  /** `false`, or the override object as TypeScript. */
  value: string
  why: string
}

/** Presets init can write: a known app's settings, applied by the environment's `preset` key. */
export type InitPreset = 'terp'

/** Default steps switched off or changed because the project has no use for them as they are. */
function stepSwitches(f: Findings, preset?: InitPreset): Switch[] {
  const out: Switch[] = []
  if (!f.schemaValidation) out.push({ id: 'schema-validation', value: 'false', why: 'no validate:schema script (nor Prisma) found' })
  if (!f.unitTests) out.push({ id: 'unit-tests', value: 'false', why: 'no test:unit or test script found' })
  if (!f.typecheck) out.push({ id: 'typescript-baseline', value: 'false', why: 'no typecheck script, nor typescript with a tsconfig.json, found' })
  if (!f.migrate) {
    out.push({ id: 'migrate', value: 'false', why: 'no migration found (no db:push, db:migrate or migrate script, no Drizzle or Prisma config)' })
    out.push({ id: 'schema-verify', value: 'false', why: 'it checks what the migration did' })
  } else if (!f.schemaValidation) {
    out.push({ id: 'schema-verify', value: '{ options: { command: false } }', why: 'no validation command: only the schema fingerprint is compared' })
  }
  // The preset's smoke tests are TERP's own routes and procedures: they stay on.
  if (preset) return out
  if (!f.trpc) out.push({ id: 'trpc', value: 'false', why: 'no @trpc/server in package.json' })
  if (f.playwright) out.push({ id: 'browser', value: 'false', why: "its built-in flows are the TERP app's; the team's own Playwright tests run instead (step playwright, below)" })
  else if (!f.trpc) out.push({ id: 'browser', value: 'false', why: 'its built-in flows are the TERP app\'s; write your own under smoke.flows and switch it back on' })
  return out
}

/** Health endpoints: the preset's, or the common ones tried in order. */
function healthLines(f: Findings, preset?: InitPreset): string[] {
  if (preset === 'terp') return ["// health: the preset's /health/ready (it knows about the schema; /health does not) and /health/live."]
  return [
    f.framework?.value === 'next' ? '// A route of the app that answers 200 when it is healthy (a Next.js route handler, e.g. app/api/health/route.ts).' : '// Health endpoints, tried in order.',
    "health: { paths: ['/health', '/api/health'] },",
  ]
}

/** The whole rollout.config.ts for the findings, with a preset's settings under them. Pure. */
export function renderConfig(f: Findings, preset?: InitPreset): string {
  const lines: string[] = []
  const add = (indent: number, ...text: string[]) => {
    for (const t of text) lines.push(t === '' ? '' : `${' '.repeat(indent)}${t}`)
  }
  add(0,
    '// Rollout config: the staging runbook as data, written by `rollout init` from what it found here:',
    ...describeFindings(f).map((l) => `//   ${l}`),
    ...(preset ? [`//   preset: '${preset}' (rollout init --preset ${preset})`] : []),
    '// Every step not mentioned keeps the runbook\'s default; `rollout plan staging` shows exactly what',
    '// `rollout run staging` will do. Every key, with its default, is listed in the rollout package (docs/reference.md).',
    "import { defineConfig, env, secret } from 'rollout'",
    '',
    'export default defineConfig({',
  )
  add(2,
    'contacts: {',
    '  // Named in announcements and incident reports.',
    "  // onCall: 'oncall@example.com',",
    "  // database: 'db-team@example.com',",
    "  // escalation: 'cto@example.com',",
    '},',
    'environments: {',
  )
  add(4, 'staging: {')
  const e = (...text: string[]) => add(6, ...text)
  if (preset === 'terp') {
    e(
      "// TERP's settings under this environment's own (which win key by key): health on /health/ready and",
      '// /health/live, unit tests and schema validation by its pnpm scripts, its browser flows and tRPC calls',
      '// (/api/trpc, superjson), one login per smoke pass through POST /api/auth/login, wait-live on',
      "// /version.json's commit. The README's \"The terp preset\" lists every key.",
      "preset: 'terp',",
    )
  }
  e(
    '// The app\'s base URL, e.g. https://staging.example.com',
    "url: env('STAGING_URL'),",
    '// The target database, e.g. mysql://user:password@host:3306/app_staging. secret(): never printed.',
    "database: { url: secret(env('DATABASE_URL')) },",
    ...providerLines(f),
    "backups: { dir: '.rollout/backups', maxAge: '24h', verify: 'quick' },",
    ...healthLines(f, preset),
    "// hostGuard: { allowedHosts: ['staging.example.com'] },",
    '// A private CA the staging certificate is issued by (every HTTPS check and the browser trust it):',
    "// ca: 'certs/staging-ca.pem',",
  )

  const preflight: string[] = []
  if (f.schemaValidation) {
    // Pre-flight commands run before the database is touched and without DATABASE_URL set by rollout.
    const note = f.orm?.value === 'prisma' && f.schemaValidation.value.includes('prisma validate') ? '; prisma validate reads env("DATABASE_URL"): have it in the environment or .env' : ''
    preflight.push(`// ${f.schemaValidation.from}${note}`, `schemaValidation: ${q(f.schemaValidation.value)},`)
  }
  if (f.unitTests) preflight.push(`// ${f.unitTests.from}`, `unitTests: ${q(f.unitTests.value)},`)
  if (f.typecheck) preflight.push(`// ${f.typecheck.from}; \`rollout baseline update staging\` records today's errors as the baseline`, `typecheck: ${q(f.typecheck.value)},`)
  if (preflight.length) e('preflight: {', ...preflight.map((l) => `  ${l}`), '},')

  if (f.migrate) {
    const migrate = [`// ${f.migrate.from}; run with DATABASE_URL set to the database above`, `command: ${q(f.migrate.value)},`]
    if (f.schemaValidation) migrate.push(`validate: ${q(f.schemaValidation.value)},`)
    e('migrate: {', ...migrate.map((l) => `  ${l}`), '},')
  }
  if (preset === 'terp') {
    e(
      '// The account the smoke tests log in as (TERP\'s INITIAL_ADMIN_USERNAME, or a user of their own). TERP',
      '// locks an account after 10 failed logins in 15 minutes: one login per pass, never retried.',
      "smoke: { terp: { user: { username: env('TERP_SMOKE_USER'), password: secret(env('TERP_SMOKE_PASSWORD')) } } },",
    )
  } else if (f.trpc) {
    e(
      `// tRPC (${f.trpc.from}): the trpc smoke step calls the TERP app's procedures`,
      '// unless you list your own:',
      "// smoke: { trpc: { endpoint: '/trpc', calls: [{ path: 'health.check' }] } },",
    )
  }
  e("monitor: { window: '30m' },")

  const switches = stepSwitches(f, preset)
  e('// Default steps switched off or changed, by id; `steps: { reviews: false }` switches off another.')
  if (switches.length) {
    e('steps: {')
    for (const s of switches) e(`  // ${s.why}`, `  ${s.id.includes('-') ? q(s.id) : s.id}: ${s.value},`)
    e('},')
  } else {
    e("// steps: { reviews: false, 'unit-tests': { timeout: '20m', retries: 1 } },")
  }

  if (f.playwright && preset) {
    e(
      `// ${f.playwright.from}: the team's own specs can run after the preset's flows (the app's URL in BASE_URL):`,
      `// add: [{ id: 'playwright', phase: 'smoke', kind: 'playwright', title: 'Playwright tests pass', timeout: '15m', options: { config: ${q(f.playwright.value)}, grep: '@critical' } }],`,
    )
  } else if (f.playwright) {
    e(
      `// ${f.playwright.from}: the team's own specs run in the smoke phase, after the deploy; the app's URL`,
      '// is passed in BASE_URL (read it in use.baseURL, or set baseUrlEnv). `grep: \'@critical\'` runs only a tag.',
      'add: [',
      `  { id: 'playwright', phase: 'smoke', kind: 'playwright', title: 'Playwright tests pass', timeout: '15m', options: { config: ${q(f.playwright.value)} } },`,
      '],',
    )
  } else {
    e(
      '// Add your own steps to any phase:',
      "// add: [{ id: 'warm-cache', phase: 'smoke', kind: 'http', options: { url: '/api/warm' } }],",
    )
  }
  add(4, '},')
  add(2, '},')
  add(0, '})')
  return lines.join('\n') + '\n'
}
