import { existsSync } from 'node:fs'
import path from 'node:path'
import { RolloutError } from '../../shared/errors.js'

/**
 * Packages the demo takes from the project's own node_modules: tsx builds and runs the example app,
 * whose releases import the others. They are development packages of rollout, so an installed
 * rollout has none of them, nor the example app, which the package does not ship.
 */
const DEV_PACKAGES = ['tsx', 'express', '@trpc/server', 'drizzle-orm']

/**
 * Stops the TERP demo before it sets anything up (certificates, a database server) when `root`
 * is not a clone of the repository with its packages installed: without them it would fail only
 * when it builds the first release. `--quickstart` needs none of this.
 */
export function assertTerpDemoRunnable(root: string): void {
  const missing = [
    ...(existsSync(path.join(root, 'examples', 'terp-app', 'build.ts')) ? [] : ['examples/terp-app']),
    ...DEV_PACKAGES.filter((name) => !existsSync(path.join(root, 'node_modules', name, 'package.json'))),
  ]
  if (missing.length === 0) return
  throw new RolloutError(
    'USAGE',
    `rollout demo builds the TERP example app from a clone of the rollout repository, with its development packages; ${root} lacks ${missing.join(', ')}`,
    'run `rollout demo --quickstart` here (command steps only: no database, app or browser), or `npm run demo` in a clone of the repository',
  )
}
