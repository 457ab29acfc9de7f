/**
 * What `rollout init` learns from a project, as data. Pure: a listing of the project's files and
 * its package.json in, findings out; src/app/init.ts does the reading and the writing.
 */

export interface PackageJson {
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  packageManager?: string
}

export interface ProjectListing {
  /** Paths relative to the project folder, `/`-separated: the top level, `prisma/`, `.do/`. */
  files: string[]
  /** package.json's contents; null when there is none (or it is not JSON). */
  packageJson: PackageJson | null
}

export type PackageManager = 'pnpm' | 'npm' | 'yarn'

/** A value init writes, and where it came from (said in a comment beside it). */
export interface Found<T> {
  value: T
  from: string
}

export interface Findings {
  packageManager: Found<PackageManager>
  /** package.json scripts init recognised, by name. */
  scripts: string[]
  orm: Found<'drizzle' | 'prisma'> | null
  framework: Found<'next' | 'express'> | null
  migrate: Found<string> | null
  schemaValidation: Found<string> | null
  unitTests: Found<string> | null
  typecheck: Found<string> | null
  playwright: Found<string> | null
  provider: Found<'railway' | 'vercel' | 'digitalocean'> | null
  trpc: Found<true> | null
}

const LOCK_FILES: [string, PackageManager][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
]

/** `pnpm db:push`, `npm run db:push`, `yarn db:push`; `npm test` for the one script npm runs without `run`. */
export function runScript(pm: PackageManager, script: string): string {
  if (pm === 'npm') return script === 'test' ? 'npm test' : `npm run ${script}`
  return `${pm} ${script}`
}

/** A binary from the project's node_modules: `pnpm exec tsc`, `npx tsc`, `yarn tsc`. */
export function runBinary(pm: PackageManager, command: string): string {
  if (pm === 'pnpm') return `pnpm exec ${command}`
  if (pm === 'yarn') return `yarn ${command}`
  return `npx ${command}`
}

function packageManagerOf(listing: ProjectListing): Found<PackageManager> {
  const locks = LOCK_FILES.filter(([file]) => listing.files.includes(file))
  if (locks.length) {
    const [file, pm] = locks[0]!
    const others = locks.slice(1).map(([f]) => f)
    return { value: pm, from: others.length ? `${file} (also found: ${others.join(', ')})` : file }
  }
  const declared = listing.packageJson?.packageManager?.match(/^(pnpm|npm|yarn)@/)?.[1] as PackageManager | undefined
  if (declared) return { value: declared, from: `package.json "packageManager"` }
  return { value: 'npm', from: 'no lock file found; npm assumed' }
}

const firstFile = (files: string[], pattern: RegExp): string | undefined => files.find((f) => pattern.test(f))

export function detectProject(listing: ProjectListing): Findings {
  const files = listing.files
  const pkg = listing.packageJson ?? {}
  const scripts = pkg.scripts ?? {}
  const deps = { ...pkg.devDependencies, ...pkg.dependencies }
  const pm = packageManagerOf(listing)
  const script = (...names: string[]) => names.find((n) => Object.hasOwn(scripts, n))
  const viaScript = (name: string): Found<string> => ({ value: runScript(pm.value, name), from: `package.json script "${name}"` })

  const drizzleConfig = firstFile(files, /^drizzle\.config\.(ts|mts|cts|js|mjs|cjs|json)$/)
  const prismaSchema = files.includes('prisma/schema.prisma') ? 'prisma/schema.prisma' : undefined
  const orm: Findings['orm'] = drizzleConfig ? { value: 'drizzle', from: drizzleConfig } : prismaSchema ? { value: 'prisma', from: prismaSchema } : null

  const migrateScript = script('db:push', 'db:migrate', 'migrate')
  const migrate: Findings['migrate'] = migrateScript
    ? viaScript(migrateScript)
    : orm?.value === 'prisma'
      ? { value: runBinary(pm.value, 'prisma migrate deploy'), from: `${orm.from}, no migration script` }
      : orm?.value === 'drizzle'
        ? { value: runBinary(pm.value, 'drizzle-kit push'), from: `${orm.from}, no migration script` }
        : null

  const validateScript = script('validate:schema')
  const schemaValidation: Findings['schemaValidation'] = validateScript
    ? viaScript(validateScript)
    : orm?.value === 'prisma'
      ? { value: runBinary(pm.value, 'prisma validate'), from: `${orm.from}, no validate:schema script` }
      : null

  const testScript = script('test:unit', 'test')
  // npm's placeholder (`echo "Error: no test specified" && exit 1`) is not a test suite.
  const unitTests = testScript && !/no test specified/.test(scripts[testScript] ?? '') ? viaScript(testScript) : null

  const typecheckScript = script('typecheck')
  const typecheck: Findings['typecheck'] = typecheckScript
    ? viaScript(typecheckScript)
    : deps.typescript && files.includes('tsconfig.json')
      ? { value: runBinary(pm.value, 'tsc --noEmit'), from: 'typescript in package.json and tsconfig.json' }
      : null

  const playwrightConfig = firstFile(files, /^playwright\.config\.(ts|mts|cts|js|mjs|cjs)$/)
  const playwright: Findings['playwright'] = playwrightConfig ? { value: playwrightConfig, from: playwrightConfig } : null

  const railway = firstFile(files, /^railway\.(json|toml)$/)
  const provider: Findings['provider'] = railway
    ? { value: 'railway', from: railway }
    : files.includes('vercel.json')
      ? { value: 'vercel', from: 'vercel.json' }
      : files.includes('.do/app.yaml')
        ? { value: 'digitalocean', from: '.do/app.yaml' }
        : null

  const trpcIn = pkg.dependencies?.['@trpc/server'] ? 'dependencies' : pkg.devDependencies?.['@trpc/server'] ? 'devDependencies' : null
  const trpc: Findings['trpc'] = trpcIn ? { value: true, from: `@trpc/server in package.json ${trpcIn}` } : null

  const framework: Findings['framework'] = deps.next ? { value: 'next', from: 'next in package.json' } : deps.express ? { value: 'express', from: 'express in package.json' } : null

  const known = ['db:push', 'db:migrate', 'migrate', 'validate:schema', 'test:unit', 'test', 'typecheck']
  return {
    packageManager: pm,
    scripts: known.filter((n) => Object.hasOwn(scripts, n)),
    orm,
    framework,
    migrate,
    schemaValidation,
    unitTests,
    typecheck,
    playwright,
    provider,
    trpc,
  }
}
