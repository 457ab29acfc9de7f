import { z } from 'zod'
import { parseProviderOptions } from '../options.js'
import { duration } from '../../../config/schema.js'

export const localProviderOptions = z.strictObject({
  kind: z.literal('local'),
  root: z.string().min(1).default('.rollout/staging').describe('Where releases, the `current` link, shared logs and the site\'s state live; relative to the config\'s folder.'),
  source: z.string().min(1).default('build/{release}').describe('The built release to copy in: a folder, `{release}` replaced by the release being deployed.'),
  start: z.string().min(1).describe('Starts the app, run by a shell in the release folder; the app listens on $PORT.'),
  port: z.number().int().min(1).max(65_535).describe('The public port the site is served on: TLS passes through untouched to the app, unless `tls` is set.'),
  host: z.string().min(1).default('127.0.0.1'),
  /** How a new app proves it is ready before it takes the traffic. */
  health: z
    .strictObject({
      path: z.string().startsWith('/').default('/health/ready'),
      https: z.boolean().default(false),
      hostHeader: z.string().min(1).optional().describe('Host header (and TLS server name) of the health request, for apps that serve only their own names.'),
      ca: z.string().min(1).optional().describe('CA file the app\'s certificate is checked against; without it an https health check does not verify the certificate.'),
    })
    .default({ path: '/health/ready', https: false }),
  tls: z
    .strictObject({
      cert: z.string().min(1).describe('Certificate file (PEM, the chain after it), relative to the config\'s folder.'),
      key: z.string().min(1).describe('Its private key file (PEM), relative to the config\'s folder; read by the supervisor only, never logged.'),
    })
    .optional()
    .describe('The public port terminates TLS with this certificate and passes plain HTTP to the app. The files are read at each deploy and rollback: a renewed certificate serves new connections from the next one on.'),
  keep: z.number().int().min(1).default(5).describe('Releases kept for rollback; the current and the previous one are never removed.'),
  env: z.record(z.string(), z.string()).default({}).describe('The app\'s environment (values may be secrets: they reach the app through its environment only).'),
  startTimeout: duration.default(60_000).describe('Longest wait for a new app to pass its health check.'),
  stopTimeout: duration.default(10_000).describe('Grace after SIGTERM before an old app is killed.'),
}).superRefine((o, ctx) => {
  // Behind a TLS front the app gets the decrypted bytes: an app speaking HTTPS itself could not answer them.
  if (o.tls && o.health.https) ctx.addIssue({ code: 'custom', path: ['health', 'https'], message: 'must be false when provider.tls is set: the app behind the TLS front speaks plain HTTP' })
})
export type LocalProviderOptions = z.output<typeof localProviderOptions>

/** The provider section checked once; errors name each key as written ("provider.start: missing; expected string"). */
export function parseLocalOptions(config: Record<string, unknown>): LocalProviderOptions {
  return parseProviderOptions(localProviderOptions, config)
}
