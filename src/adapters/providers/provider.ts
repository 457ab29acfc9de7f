import type { Redactor } from '../../config/redact.js'

/**
 * A deploy provider: the platform that runs the app (Railway, Vercel, DigitalOcean App Platform,
 * the team's own commands, or a host of their own). One implementation per file, looked up by
 * the `provider.kind` of an environment.
 */
export interface Deployment {
  id: string
  /** Provider's own status word, as it reported it (SUCCESS, READY, ACTIVE, live…). */
  status: string
  live: boolean
  createdAt?: string
  url?: string
  release?: string
}

export interface LogLine {
  timestamp?: string
  level?: string
  message: string
}

export interface ProviderCallOptions {
  signal: AbortSignal
  /** Progress lines for the record (redacted by the caller). */
  log: (line: string) => void
  /** Told each program the call starts (its process group), so a crash leaves a trace of it in the record. */
  onSpawn?: (pid: number) => void | Promise<void>
}

export interface RollbackOptions extends ProviderCallOptions {
  /** The deployment being rolled back from (the failed one), when known. */
  fromDeploymentId?: string
}

/** What a provider is built with: where it runs, the variables its tokens come from, the redactor. */
export interface ProviderContext {
  /** Folder relative paths and commands start from (the config's folder). */
  cwd: string
  /** Variables tokens are read from (process.env, usually); passed on to the CLIs a provider runs. */
  env: Record<string, string | undefined>
  /** Tokens a provider reads are added here, so no log line or evidence shows them. */
  redactor: Redactor
  /** Host name → IP address for the provider's own HTTP calls (like curl --resolve). */
  resolve?: Record<string, string>
  /** The environment's name, for commands that take it ({environment}). */
  environmentName?: string
}

/** Builds a provider from the environment's `provider` section (kind included). */
export type ProviderFactory = (config: Record<string, unknown>, ctx: ProviderContext) => DeployProvider | Promise<DeployProvider>

export interface DeployProvider {
  readonly kind: string
  /** What is live now: recorded before a deploy so a rollback knows its target even after a crash. */
  current(opts: ProviderCallOptions): Promise<Deployment | null>
  /** Starts a deployment of `release` and returns its id (does not wait). */
  deploy(release: string, opts: ProviderCallOptions): Promise<Deployment>
  /** Waits until the deployment is live or failed; throws on failure or on the signal. */
  waitUntilLive(deploymentId: string, opts: ProviderCallOptions & { timeoutMs: number }): Promise<Deployment>
  /**
   * Makes `deploymentId` (an earlier deployment) the live one again. The answer may be a new
   * deployment (DigitalOcean, Railway) that is not live yet: wait for it with `waitUntilLive`.
   */
  rollback(deploymentId: string, opts: RollbackOptions): Promise<Deployment>
  /**
   * Stops serving `deploymentId` altogether: the undo of a first deploy, when nothing was live
   * before it. Providers without it cannot undo a first deploy (the rollback says so).
   */
  takeDown?(deploymentId: string, opts: ProviderCallOptions): Promise<void>
  status(deploymentId: string, opts: ProviderCallOptions): Promise<Deployment>
  logs(opts: ProviderCallOptions & { lines: number; deploymentId?: string }): Promise<LogLine[]>
}
