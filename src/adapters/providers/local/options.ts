import { z } from 'zod'
import { parseProviderOptions } from '../options.js'
import { duration } from '../../../config/schema.js'

export const localProviderOptions = z.strictObject({
  kind: z.literal('local'),
  /** Where releases, the `current` link, shared logs and the site's state live; relative to the config's folder. */
  root: z.string().min(1).default('.rollout/staging'),
  /** The built release to copy in: a folder, `{release}` replaced by the release being deployed. */
  source: z.string().min(1).default('build/{release}'),
  /** Starts the app, run by a shell in the release folder; the app listens on $PORT. */
  start: z.string().min(1),
  /** The public port the site is served on (TLS passes through untouched). */
  port: z.number().int().min(1).max(65_535),
  host: z.string().min(1).default('127.0.0.1'),
  /** How a new app proves it is ready before it takes the traffic. */
  health: z
    .strictObject({
      path: z.string().startsWith('/').default('/health/ready'),
      https: z.boolean().default(false),
      /** Host header (and TLS server name) of the health request, for apps that serve only their own names. */
      hostHeader: z.string().min(1).optional(),
      /** CA file the app's certificate is checked against; without it an https health check does not verify the certificate. */
      ca: z.string().min(1).optional(),
    })
    .default({ path: '/health/ready', https: false }),
  /** Releases kept for rollback; the current and the previous one are never removed. */
  keep: z.number().int().min(1).default(5),
  /** The app's environment (values may be secrets: they reach the app through its environment only). */
  env: z.record(z.string(), z.string()).default({}),
  /** Longest wait for a new app to pass its health check. */
  startTimeout: duration.default(60_000),
  /** Grace after SIGTERM before an old app is killed. */
  stopTimeout: duration.default(10_000),
})
export type LocalProviderOptions = z.output<typeof localProviderOptions>

/** The provider section checked once; errors name each key as written ("provider.start: missing; expected string"). */
export function parseLocalOptions(config: Record<string, unknown>): LocalProviderOptions {
  return parseProviderOptions(localProviderOptions, config)
}
