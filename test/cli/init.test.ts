import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runCli, tempDir } from '../support/cli.js'

const URLS = { STAGING_URL: 'https://staging.example.test', DATABASE_URL: 'mysql://deploy:pw-1234@127.0.0.1:3306/app_staging' }

/** A project folder with these files (package.json given as an object). */
function fixture(files: Record<string, unknown>): string {
  const dir = tempDir('rollout-init-')
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  }
  return dir
}

/** init, then plan staging through the real CLI; both must succeed. */
async function initAndPlan(dir: string, initArgs: string[] = [], env: Record<string, string> = {}): Promise<{ found: string; config: string; plan: string }> {
  const init = await runCli(['init', ...initArgs], { cwd: dir })
  assert.equal(init.code, 0, init.stderr)
  const config = readFileSync(path.join(dir, 'rollout.config.ts'), 'utf8')
  const planned = await runCli(['plan', 'staging'], { cwd: dir, env: { ...URLS, ...env } })
  assert.equal(planned.code, 0, `${planned.stderr}\n--- rollout.config.ts:\n${config}`)
  assert.doesNotMatch(planned.stdout, /pw-1234/)
  return { found: init.stdout, config, plan: planned.stdout }
}

/** The plan's step ids, in order. */
const stepIds = (plan: string): string[] => [...plan.matchAll(/^ {2}([a-z0-9-]+) {2,}/gm)].map((m) => m[1]!)

/** A repository shaped like TERP's: pnpm, Express + tRPC + Drizzle, Railway, its own Playwright specs. */
const terpShaped = () =>
  fixture({
    'package.json': {
      name: 'terp',
      scripts: { dev: 'tsx watch server/index.ts', 'db:push': 'drizzle-kit push', 'validate:schema': 'tsx scripts/validate-schema.ts', 'test:unit': 'vitest run', typecheck: 'tsc --noEmit' },
      dependencies: { '@trpc/server': '^11.7.1', express: '^5.1.0', 'drizzle-orm': '^0.45.0', mysql2: '^3.0.0' },
      devDependencies: { typescript: '^5.9.0', 'drizzle-kit': '^0.31.0' },
    },
    'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    'drizzle.config.ts': 'export default {}\n',
    'railway.json': '{ "build": { "builder": "NIXPACKS" } }\n',
    'tsconfig.json': '{}\n',
  })

test('a TERP-shaped project (pnpm, Express + tRPC + Drizzle, Railway): its own commands, every runbook step', async () => {
  const dir = terpShaped()
  const { found, config, plan } = await initAndPlan(dir)
  assert.match(found, /package manager: pnpm \(pnpm-lock\.yaml\)/)
  assert.match(found, /ORM: Drizzle \(drizzle\.config\.ts\)/)
  assert.match(found, /tRPC: yes \(@trpc\/server in package\.json dependencies\)/)
  assert.match(found, /provider: Railway \(railway\.json\)/)
  assert.match(config, /\/\/ package\.json script "db:push"; run with DATABASE_URL set to the database above\n\s+command: 'pnpm db:push',/)
  assert.match(config, /provider: \{ kind: 'railway' \},/)
  assert.match(plan, /schema-validation +Schema validation passing \(pnpm validate:schema\)/)
  assert.match(plan, /unit-tests +All unit tests passing \(pnpm test:unit\)/)
  assert.match(plan, /migrate +Apply database migrations \(pnpm db:push\)/)
  assert.match(plan, /schema-verify +Verify schema \(pnpm validate:schema\)/)
  assert.match(plan, /deploy +Deploy the application \(railway\)/)
  const ids = stepIds(plan)
  for (const id of ['typescript-baseline', 'trpc', 'browser']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`)
})

test('a Next.js + Prisma + Vercel app with Playwright (npm): npm commands, Prisma migrations, the team\'s own specs', async () => {
  const dir = fixture({
    'package.json': {
      name: 'shop',
      scripts: { dev: 'next dev', build: 'next build', 'db:migrate': 'prisma migrate deploy', test: 'vitest run', 'test:e2e': 'playwright test' },
      dependencies: { next: '15.5.0', react: '19.1.0', '@prisma/client': '6.0.0' },
      devDependencies: { prisma: '6.0.0', '@playwright/test': '1.56.0', typescript: '5.9.3' },
    },
    'package-lock.json': '{ "lockfileVersion": 3 }\n',
    'vercel.json': '{ "framework": "nextjs" }\n',
    'prisma/schema.prisma': 'datasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n}\n',
    'playwright.config.ts': 'export default {}\n',
    'tsconfig.json': '{}\n',
  })
  const { found, config, plan } = await initAndPlan(dir)
  assert.match(found, /package manager: npm \(package-lock\.json\)/)
  assert.match(found, /framework: Next\.js/)
  assert.match(found, /ORM: Prisma \(prisma\/schema\.prisma\)/)
  assert.match(found, /Playwright: the team's own tests \(playwright\.config\.ts\)/)
  assert.match(found, /provider: Vercel \(vercel\.json\)/)
  assert.match(config, /command: 'npm run db:migrate',/)
  assert.match(config, /schemaValidation: 'npx prisma validate',/)
  assert.match(plan, /migrate +Apply database migrations \(npm run db:migrate\)/)
  assert.match(plan, /schema-verify +Verify schema \(npx prisma validate\)/)
  assert.match(plan, /unit-tests +All unit tests passing \(npm test\)/)
  assert.match(plan, /deploy +Deploy the application \(vercel\)/)
  const ids = stepIds(plan)
  assert.ok(ids.includes('playwright'), `playwright in ${ids.join(', ')}`)
  assert.match(plan, /playwright +Playwright tests pass\n +playwright · timeout 15m/)
  assert.ok(ids.includes('typescript-baseline'), 'typescript with a tsconfig.json: the type-check gate stays')
  for (const id of ['trpc', 'browser']) assert.ok(!ids.includes(id), `${id} is switched off`)
})

test('a plain Express app (npm, only a test script, no provider file): what it lacks is switched off, saying why', async () => {
  const dir = fixture({
    'package.json': { name: 'api', scripts: { start: 'node server.js', test: 'node --test' }, dependencies: { express: '^5.1.0' } },
    'package-lock.json': '{ "lockfileVersion": 3 }\n',
    'server.js': "import express from 'express'\n",
  })
  // With no provider file the provider is left commented out, and plan says it is missing.
  const init = await runCli(['init'], { cwd: dir })
  assert.equal(init.code, 0, init.stderr)
  const unplanned = await runCli(['plan', 'staging'], { cwd: dir, env: URLS })
  assert.equal(unplanned.code, 2)
  assert.match(unplanned.stderr, /environments\.staging\.provider: missing; the deploy step deploys through it/)
  // The user fills in the commented command provider.
  const file = path.join(dir, 'rollout.config.ts')
  writeFileSync(file, readFileSync(file, 'utf8').replace("// provider: { kind: 'command'", "provider: { kind: 'command'"))
  const planned = await runCli(['plan', 'staging'], { cwd: dir, env: URLS })
  assert.equal(planned.code, 0, planned.stderr)
  const [found, config, plan] = [init.stdout, readFileSync(file, 'utf8'), planned.stdout]
  assert.match(found, /package\.json scripts: test\n/)
  assert.match(found, /provider: no railway\.json, railway\.toml, vercel\.json or \.do\/app\.yaml found/)
  assert.match(config, /\/\/ no migration found \(no db:push, db:migrate or migrate script, no Drizzle or Prisma config\)\n\s+migrate: false,/)
  assert.match(config, /\/\/ no @trpc\/server in package\.json\n\s+trpc: false,/)
  assert.match(plan, /unit-tests +All unit tests passing \(npm test\)/)
  const ids = stepIds(plan)
  for (const id of ['schema-validation', 'typescript-baseline', 'migrate', 'schema-verify', 'trpc', 'browser', 'playwright']) {
    assert.ok(!ids.includes(id), `${id} is not in the plan: ${ids.join(', ')}`)
  }
  for (const id of ['ci-status', 'unit-tests', 'backup', 'health', 'deploy', 'http', 'monitor']) assert.ok(ids.includes(id), `${id} stays`)
})

test('init --preset terp: the environment takes TERP\'s settings (health, flows, tRPC, login, wait-live) and the smoke account from the environment', async () => {
  const dir = terpShaped()
  const secret = 'smoke-pw-9876'
  const { found, config, plan } = await initAndPlan(dir, ['--preset', 'terp'], { TERP_SMOKE_USER: 'admin', TERP_SMOKE_PASSWORD: secret })
  assert.match(found, /preset: terp\n/)
  assert.match(found, /Next: .*TERP_SMOKE_USER=… TERP_SMOKE_PASSWORD=…/)
  assert.match(config, /^\s+preset: 'terp',$/m)
  assert.match(config, /smoke: \{ terp: \{ user: \{ username: env\('TERP_SMOKE_USER'\), password: secret\(env\('TERP_SMOKE_PASSWORD'\)\) \} \} \},/)
  assert.doesNotMatch(config, /health: \{ paths/, 'the preset\'s health paths are not overridden')
  assert.match(plan, /http +\/health\/ready returns 200/)
  assert.doesNotMatch(plan, new RegExp(secret))
  const ids = stepIds(plan)
  for (const id of ['schema-validation', 'unit-tests', 'migrate', 'deploy', 'wait-live', 'http', 'trpc', 'browser']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`)
  // Without the account the plan says which variable is missing.
  const missing = await runCli(['plan', 'staging'], { cwd: dir, env: URLS })
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /TERP_SMOKE_USER/)
})

test('init --preset with an unknown name: exit 2 naming the presets there are, nothing written', async () => {
  const dir = terpShaped()
  const init = await runCli(['init', '--preset', 'wordpress'], { cwd: dir })
  assert.equal(init.code, 2)
  assert.match(init.stderr, /--preset: unknown preset "wordpress"; expected one of: terp/)
  assert.equal(existsSync(path.join(dir, 'rollout.config.ts')), false)
})
