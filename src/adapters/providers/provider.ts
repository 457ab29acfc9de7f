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
}

export interface DeployProvider {
  readonly kind: string
  /** What is live now: recorded before a deploy so a rollback knows its target even after a crash. */
  current(opts: ProviderCallOptions): Promise<Deployment | null>
  /** Starts a deployment of `release` and returns its id (does not wait). */
  deploy(release: string, opts: ProviderCallOptions): Promise<Deployment>
  /** Waits until the deployment is live or failed; throws on failure or on the signal. */
  waitUntilLive(deploymentId: string, opts: ProviderCallOptions & { timeoutMs: number }): Promise<Deployment>
  /** Makes `deploymentId` (an earlier deployment) the live one again. */
  rollback(deploymentId: string, opts: ProviderCallOptions): Promise<Deployment>
  status(deploymentId: string, opts: ProviderCallOptions): Promise<Deployment>
  logs(opts: ProviderCallOptions & { lines: number; deploymentId?: string }): Promise<LogLine[]>
}
