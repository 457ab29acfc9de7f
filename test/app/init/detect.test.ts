import { test } from 'node:test'
import assert from 'node:assert/strict'
import { detectProject, runBinary, runScript } from '../../../src/app/init/detect.js'
import { renderConfig } from '../../../src/app/init/render.js'

test('commands are written the way the package manager runs scripts and binaries', () => {
  assert.equal(runScript('pnpm', 'db:push'), 'pnpm db:push')
  assert.equal(runScript('npm', 'db:push'), 'npm run db:push')
  assert.equal(runScript('npm', 'test'), 'npm test')
  assert.equal(runScript('yarn', 'test:unit'), 'yarn test:unit')
  assert.equal(runBinary('pnpm', 'tsc --noEmit'), 'pnpm exec tsc --noEmit')
  assert.equal(runBinary('npm', 'prisma validate'), 'npx prisma validate')
})

test('the package manager comes from the lock file, then package.json, else npm', () => {
  const pm = (files: string[], packageManager?: string) => detectProject({ files, packageJson: { packageManager } }).packageManager
  assert.deepEqual(pm(['pnpm-lock.yaml']), { value: 'pnpm', from: 'pnpm-lock.yaml' })
  assert.deepEqual(pm(['yarn.lock']), { value: 'yarn', from: 'yarn.lock' })
  assert.deepEqual(pm(['package-lock.json']), { value: 'npm', from: 'package-lock.json' })
  assert.equal(pm(['pnpm-lock.yaml', 'package-lock.json']).from, 'pnpm-lock.yaml (also found: package-lock.json)')
  assert.deepEqual(pm([], 'yarn@4.5.0'), { value: 'yarn', from: 'package.json "packageManager"' })
  assert.deepEqual(pm([]), { value: 'npm', from: 'no lock file found; npm assumed' })
})

test('a TERP-shaped project: scripts, Drizzle, tRPC and Railway', () => {
  const f = detectProject({
    files: ['package.json', 'pnpm-lock.yaml', 'drizzle.config.ts', 'railway.json', 'tsconfig.json', 'server'],
    packageJson: {
      scripts: { 'db:push': 'drizzle-kit push', 'validate:schema': 'tsx scripts/validate.ts', 'test:unit': 'vitest run', test: 'vitest', typecheck: 'tsc --noEmit' },
      dependencies: { '@trpc/server': '^11.0.0', express: '^5.0.0', 'drizzle-orm': '^0.45.0' },
    },
  })
  assert.deepEqual(f.migrate, { value: 'pnpm db:push', from: 'package.json script "db:push"' })
  assert.deepEqual(f.schemaValidation, { value: 'pnpm validate:schema', from: 'package.json script "validate:schema"' })
  assert.equal(f.unitTests?.value, 'pnpm test:unit', 'test:unit is preferred to test')
  assert.equal(f.typecheck?.value, 'pnpm typecheck')
  assert.deepEqual(f.orm, { value: 'drizzle', from: 'drizzle.config.ts' })
  assert.deepEqual(f.provider, { value: 'railway', from: 'railway.json' })
  assert.deepEqual(f.trpc, { value: true, from: '@trpc/server in package.json dependencies' })
  assert.equal(f.playwright, null)
})

test('Prisma without scripts: migrate deploy and prisma validate; railway.toml, vercel.json and .do/app.yaml name providers', () => {
  const f = detectProject({ files: ['package-lock.json', 'prisma/schema.prisma'], packageJson: { scripts: { test: 'echo "Error: no test specified" && exit 1' } } })
  assert.equal(f.migrate?.value, 'npx prisma migrate deploy')
  assert.equal(f.schemaValidation?.value, 'npx prisma validate')
  assert.equal(f.unitTests, null, "npm's placeholder test script is no test suite")
  assert.equal(f.typecheck, null)
  const provider = (file: string) => detectProject({ files: [file], packageJson: null }).provider?.value
  assert.equal(provider('railway.toml'), 'railway')
  assert.equal(provider('vercel.json'), 'vercel')
  assert.equal(provider('.do/app.yaml'), 'digitalocean')
  assert.equal(provider('Procfile'), undefined)
})

test('the config says where each value came from and switches off what the project lacks', () => {
  const plain = renderConfig(detectProject({ files: ['package-lock.json'], packageJson: { scripts: { test: 'node --test' }, dependencies: { express: '^5' } } }))
  assert.match(plain, /\/\/ package\.json script "test"\n\s+unitTests: 'npm test',/)
  for (const id of ['schema-validation', 'typescript-baseline', 'migrate', 'schema-verify', 'trpc', 'browser']) {
    assert.match(plain, new RegExp(`\\n\\s+'?${id}'?: false,`), id)
  }
  assert.doesNotMatch(plain, /'unit-tests': false/)
  assert.match(plain, /no railway\.json, railway\.toml, vercel\.json or \.do\/app\.yaml found/)
  assert.match(plain, /\/\/ provider: \{ kind: 'command'/, 'no provider file: the provider is left commented out')

  const prisma = renderConfig(detectProject({ files: ['package-lock.json', 'prisma/schema.prisma', 'vercel.json', 'playwright.config.ts'], packageJson: { dependencies: { next: '15' } } }))
  assert.match(prisma, /provider: \{ kind: 'vercel' \},/)
  assert.match(prisma, /\{ id: 'playwright', phase: 'smoke', kind: 'playwright', title: 'Playwright tests pass', timeout: '15m', options: \{ config: 'playwright\.config\.ts' \} \}/)
  assert.match(prisma, /\n\s+browser: false,/)
  assert.match(prisma, /command: 'npx prisma migrate deploy',\n\s+validate: 'npx prisma validate',/)

  const digitalocean = renderConfig(detectProject({ files: ['.do/app.yaml'], packageJson: null }))
  assert.match(digitalocean, /\/\/ provider: \{ kind: 'digitalocean', app: 'your-app-id' \},/, 'the app id cannot be guessed: left for the user to fill in')
})
