import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { RolloutError } from '../../engine/errors.js'
import { detectProject, type Findings, type PackageJson, type ProjectListing } from './init/detect.js'
import { describeFindings, renderConfig } from './init/render.js'

export interface InitOptions {
  force: boolean
}

export interface InitResult {
  file: string
  /** What was found in the project, one line each (also written at the top of the config). */
  found: string[]
  findings: Findings
}

/** Folders whose entries detection looks at, besides the project's top level. */
const SUBFOLDERS = ['prisma', '.do']

/** The project's files as detection needs them: the top level and a few known folders. */
export function readProjectListing(cwd: string): ProjectListing {
  const entries = (dir: string): string[] => {
    try {
      return readdirSync(path.join(cwd, dir))
    } catch {
      return []
    }
  }
  const files = [...entries('.'), ...SUBFOLDERS.flatMap((dir) => entries(dir).map((name) => `${dir}/${name}`))]
  let packageJson: PackageJson | null = null
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8'))
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) packageJson = parsed as PackageJson
  } catch {
    packageJson = null
  }
  return { files, packageJson }
}

/**
 * `rollout init`: reads the project (lock file, package.json scripts and dependencies, ORM,
 * Playwright and provider files) and writes a commented config for staging that fits it, with its
 * URL and database from the environment. Detection and rendering are pure (./init/); a preset
 * (a known app's settings on top of what was found) belongs between the two.
 */
export function initConfig(cwd: string, options: InitOptions): InitResult {
  const file = path.join(cwd, 'rollout.config.ts')
  if (existsSync(file) && !options.force) {
    throw new RolloutError('USAGE', `${file} already exists`, 'pass --force to overwrite it')
  }
  const findings = detectProject(readProjectListing(cwd))
  writeFileSync(file, renderConfig(findings))
  return { file, found: describeFindings(findings), findings }
}
