import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from '../support/cli.js'
import { installCommand, newApp, packFromSources, registryUnreachable, run, toolEnv, type Packed } from '../support/package-install.js'

// Rollout as an app gets it: packed from the sources (prepare builds dist), installed into a new app
// by npm and by pnpm, then its installed `rollout` run there as a user runs it.

const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
// One pack for every case: building dist is the slow part.
let packing: Promise<Packed> | undefined
const packed = () => (packing ??= packFromSources())
// Asked once for both installers.
let reachability: Promise<string | undefined> | undefined

const STAGING = { STAGING_URL: 'https://staging.example.test', DATABASE_URL: 'mysql://deploy:pw-5521@127.0.0.1:3306/app_staging' }

test('the package holds what runs: bin, the built dist without source maps, docs, the quickstart example', { timeout: 180_000 }, async () => {
  const { files, size } = await packed()
  for (const needed of ['bin/rollout.js', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'docs/reference.md', 'examples/quickstart/rollout.config.mjs', 'README.md', 'package.json']) {
    assert.ok(files.includes(needed), `the package lacks ${needed}`)
  }
  const stray = files.filter((f) => f.endsWith('.map') || /^(src|test|scripts|bench|examples\/terp-app)\//.test(f))
  assert.deepEqual(stray, [], 'the package holds files that do not run')
  assert.ok(size < 1_000_000, `the package is ${size} bytes`)
})

for (const manager of ['npm', 'pnpm'] as const) {
  test(`installed with ${manager}: rollout --help, init, plan staging and demo --quickstart work in the app`, { timeout: 300_000 }, async (t) => {
    const { tarball } = await packed()
    const app = newApp()
    if (!(await install(t, manager, tarball, app))) return
    const rollout = (args: string[], env: Record<string, string> = {}) => run(path.join(app, 'node_modules', '.bin', 'rollout'), args, { cwd: app, env: toolEnv(env) })

    const help = await rollout(['--help'])
    assert.equal(help.code, 0, help.stderr)
    for (const command of ['init', 'plan', 'check', 'run', 'rollback']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'))
    assert.equal((await rollout(['--version'])).stdout.trim(), version)

    // init reads the lock file the install wrote, and the db:push script.
    const init = await rollout(['init'])
    assert.equal(init.code, 0, init.stderr)
    const lock = manager === 'npm' ? 'package-lock.json' : 'pnpm-lock.yaml'
    assert.match(init.stdout, new RegExp(`package manager: ${manager} \\(${lock.replace('.', '\\.')}\\)`))
    const configFile = path.join(app, 'rollout.config.ts')
    assert.ok(existsSync(configFile), 'init wrote no rollout.config.ts')
    const migrate = manager === 'npm' ? 'npm run db:push' : 'pnpm db:push'
    assert.match(readFileSync(configFile, 'utf8'), new RegExp(`command: '${migrate}'`))

    // No provider file here: the user switches on the provider line init left commented out.
    const config = readFileSync(configFile, 'utf8')
    assert.match(config, /\/\/ provider: \{ kind: 'command'/)
    writeFileSync(configFile, config.replace("// provider: { kind: 'command'", "provider: { kind: 'command'"))
    const plan = await rollout(['plan', 'staging'], STAGING)
    assert.equal(plan.code, 0, plan.stderr)
    assert.match(plan.stdout, /Plan for staging \(https:\/\/staging\.example\.test\)/)
    for (const step of [/backup\s+Back up the target database/, new RegExp(`migrate\\s+Apply database migrations \\(${migrate}\\) ◀ point of no return`), /deploy\s+Deploy the application \(command\)/, /undo, newest first: deploy → migrate/]) {
      assert.match(plan.stdout, step)
    }
    assert.doesNotMatch(plan.stdout + plan.stderr, /pw-5521/)

    // The quickstart demo loads its config twice in one process, RELEASE changed between the runs.
    const demo = await rollout(['demo', '--quickstart'])
    assert.equal(demo.code, 0, demo.stdout.slice(-3000) + demo.stderr)
    assert.match(demo.stdout, /release "broken"[\s\S]*ROLLED-BACK[\s\S]*Demo done: the good release passed, the broken one was rolled back and proven/)
    assert.equal(readFileSync(path.join(app, '.rollout', 'demo', 'quickstart', 'state', 'live'), 'utf8').trim(), 'good')

    // The TERP demo needs a clone: it says so at once instead of failing half-way through its set-up.
    const terp = await rollout(['demo'])
    assert.equal(terp.code, 2, terp.stderr)
    assert.match(terp.stderr, /from a clone of the rollout repository[\s\S]*hint: run `rollout demo --quickstart` here/)
    assert.ok(!existsSync(path.join(app, '.rollout', 'demo', 'tls')), 'the TERP demo set something up before refusing')
  })
}

/**
 * Installs the tarball. With the registry out of reach, from the local caches alone: skipped (false)
 * only when those cannot do it either. With the registry there, a failed install fails the test.
 */
async function install(t: TestContext, manager: 'npm' | 'pnpm', tarball: string, app: string): Promise<boolean> {
  const offline = await (reachability ??= registryUnreachable(app))
  const [command, args] = installCommand(manager, tarball, offline !== undefined)
  const result = await run(command, args, { cwd: app })
  if (result.code === 0) return true
  if (offline) {
    t.skip(`${manager} could not install the package's dependencies from its cache, and ${offline}`)
    return false
  }
  assert.fail(`${command} ${args.join(' ')} failed (exit ${result.code}):\n${(result.stdout + result.stderr).slice(-3000)}`)
}
