import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeMigrationsUpTo } from './src/db/migrations.js'

/**
 * Builds one release of the example app into a folder of its own:
 *   src/             the app (the same code for every release; release.json switches features)
 *   package.json     {"type": "module"}
 *   release.json     the release's id, description, features, and the commit it was built from
 *   migrations/      the migrations up to the release's own newest, in Drizzle's migrator format
 * In it, `node --import tsx src/migrate.ts` migrates DATABASE_URL and `node --import tsx src/server.ts`
 * starts the app. Packages come from the project's node_modules: found by Node's upward lookup when
 * the folder is inside the project, else through a node_modules link made here.
 *
 *   node --import tsx examples/terp-app/build.ts v2 build/v2
 */

const HERE = path.dirname(fileURLToPath(import.meta.url))
const PROJECT_ROOT = path.resolve(HERE, '../..')
export const RELEASES_DIR = path.join(HERE, 'releases')
/** The app's one migrations folder; a release takes it as it stood up to its newest migration. */
export const MIGRATIONS_DIR = path.join(HERE, 'migrations')

export function releaseIds(): string[] {
  return readdirSync(RELEASES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: HERE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined
  } catch {
    return undefined
  }
}

export interface BuiltRelease {
  id: string
  dir: string
  migrations: string[]
}

/** Writes release `id` into `outDir` (replacing an earlier build there; refusing any other non-empty folder). */
export function buildRelease(id: string, outDir: string): BuiltRelease {
  const source = path.join(RELEASES_DIR, id)
  if (!/^[\w.-]+$/.test(id) || !existsSync(path.join(source, 'release.json'))) throw new Error(`no release ${JSON.stringify(id)}: expected one of ${releaseIds().join(', ')}`)
  const dir = path.resolve(outDir)
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(path.join(dir, 'release.json'))) throw new Error(`${dir} is not empty and holds no earlier build (release.json): not replacing it`)
    rmSync(dir, { recursive: true, force: true })
  }
  mkdirSync(dir, { recursive: true })

  cpSync(path.join(HERE, 'src'), path.join(dir, 'src'), { recursive: true })
  const release = JSON.parse(readFileSync(path.join(source, 'release.json'), 'utf8')) as Record<string, unknown>
  if (typeof release.migrations !== 'string') throw new Error(`${path.join(source, 'release.json')}: expected "migrations", the newest migration of the release`)
  const migrations = writeMigrationsUpTo(MIGRATIONS_DIR, release.migrations, path.join(dir, 'migrations'))
  const commit = gitCommit()
  writeFileSync(path.join(dir, 'release.json'), JSON.stringify({ ...release, ...(commit ? { commit } : {}) }, null, 2) + '\n')
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `terp-app-${id}`, private: true, type: 'module' }, null, 2) + '\n')
  if (!isInside(dir, PROJECT_ROOT)) symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir')

  return { id, dir, migrations }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [id, outDir] = process.argv.slice(2)
  if (!id || !outDir) {
    process.stderr.write(`usage: node --import tsx examples/terp-app/build.ts <release> <out-dir>\nreleases: ${releaseIds().join(', ')}\n`)
    process.exit(2)
  }
  try {
    const built = buildRelease(id, outDir)
    console.log(`built ${built.id} into ${built.dir} (migrations: ${built.migrations.join(', ')})`)
  } catch (error) {
    process.stderr.write(`build failed: ${(error as Error).message}\n`)
    process.exit(1)
  }
}
