import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { RolloutError } from '../shared/errors.js'
import { detectProject, type Findings, type PackageJson, type ProjectListing } from './init/detect.js'
import { describeFindings, renderConfig, type InitPreset } from './init/render.js'

export interface InitOptions {
  force: boolean
  /** A known app's settings under the environment (`--preset terp`). */
  preset?: string
}

const INIT_PRESETS: readonly InitPreset[] = ['terp']

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
 * writes `preset: '<name>'` and leaves the settings it gives to it.
 */
export function initConfig(cwd: string, options: InitOptions): InitResult {
  const preset = options.preset === undefined ? undefined : INIT_PRESETS.find((p) => p === options.preset)
  if (options.preset !== undefined && !preset) {
    throw new RolloutError('USAGE', `--preset: unknown preset ${JSON.stringify(options.preset)}; expected one of: ${INIT_PRESETS.join(', ')}`)
  }
  const file = path.join(cwd, 'rollout.config.ts')
  if (existsSync(file) && !options.force) {
    throw new RolloutError('USAGE', `${file} already exists`, 'pass --force to overwrite it')
  }
  const findings = detectProject(readProjectListing(cwd))
  writeFileSync(file, renderConfig(findings, preset))
  const found = describeFindings(findings)
  return { file, found: preset ? [...found, `preset: ${preset}`] : found, findings }
}
