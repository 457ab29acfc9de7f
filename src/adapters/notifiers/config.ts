import { z } from 'zod'
import { duration } from '../../config/schema.js'
import { formatIssues, formatPath } from '../../config/issues.js'
import type { Redactor } from '../../config/redact.js'
import { ConfigError } from '../../shared/errors.js'
import type { NotifyEvent } from './notifier.js'

/*
 * What an entry of an environment's `notify` list may say, checked without loading any channel's
 * code: the config loader calls this at the boundary, so `plan` and `--help` stay light.
 */

export const NOTIFY_EVENTS = ['start', 'success', 'failure', 'rollback', 'close'] as const satisfies readonly NotifyEvent[]

const httpUrl = z.string().refine((v) => /^https?:\/\/[^/\s]+/i.test(v), { message: 'expected an http:// or https:// URL' })

/** What every channel accepts: which events it gets (all by default) and how long a send may take. */
const common = {
  events: z.array(z.enum(NOTIFY_EVENTS)).min(1).optional().describe('The events the channel gets; default all.'),
  timeout: duration.default(10_000).describe('How long one send may take.'),
}
const retry = {
  maxRetries: z.number().int().min(0).max(5).default(2).describe('Retries of a failed send (HTTP 429, a 5xx, a connection never made; a timeout is not retried).'),
  maxRetryWait: duration.default(30_000).describe('Longest Retry-After a rate-limited send waits for; one asking more fails the send.'),
}

const consoleSchema = z.strictObject({ kind: z.literal('console'), ...common })
const slackSchema = z.strictObject({ kind: z.literal('slack'), webhook: httpUrl, ...common, ...retry })
const webhookSchema = z.strictObject({
  kind: z.literal('webhook'),
  url: httpUrl,
  secret: z.string().min(1),
  headers: z.record(z.string(), z.string()).default({}),
  ...common,
  ...retry,
})
const emailSchema = z
  .strictObject({
    kind: z.literal('email'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().optional(),
    starttls: z.enum(['required', 'opportunistic', 'off']).default('opportunistic'),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    from: z.string().min(3),
    to: z.union([z.string().min(3), z.array(z.string().min(3)).min(1)]),
    subjectPrefix: z.string().default('[rollout]'),
    ca: z.string().optional(),
    ...common,
  })
  .transform((o) => ({ ...o, secure: o.secure ?? o.port === 465, to: ([] as string[]).concat(o.to) }))

/** Every channel's schema by `kind`. */
export const NOTIFIER_SCHEMAS = { console: consoleSchema, slack: slackSchema, webhook: webhookSchema, email: emailSchema }
const SCHEMAS = NOTIFIER_SCHEMAS
export type NotifierKind = keyof typeof SCHEMAS
export const NOTIFIER_KINDS = Object.keys(SCHEMAS) as NotifierKind[]

export type ChannelConfig =
  | z.output<typeof consoleSchema>
  | z.output<typeof slackSchema>
  | z.output<typeof webhookSchema>
  | z.output<typeof emailSchema>

/**
 * Checks one entry of an environment's `notify` list; errors name `notify[i].<key>`, after `prefix`
 * (the config boundary passes `environments.<env>`).
 */
export function parseChannelConfig(raw: unknown, index: number, prefix: (string | number)[] = []): ChannelConfig {
  const at = [...prefix, 'notify', index]
  const kind = raw && typeof raw === 'object' ? (raw as { kind?: unknown }).kind : undefined
  if (typeof kind !== 'string' || !(kind in SCHEMAS)) {
    const got = typeof kind === 'string' ? JSON.stringify(kind) : kind === undefined ? 'nothing' : typeof kind
    throw new ConfigError(`${formatPath([...at, 'kind'])}: expected one of ${NOTIFIER_KINDS.map((k) => `"${k}"`).join(', ')}, got ${got}`)
  }
  const parsed = SCHEMAS[kind as NotifierKind].safeParse(raw, { reportInput: true })
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, at, SCHEMAS[kind as NotifierKind]))
  return parsed.data
}

/** Checks a whole `notify` list at once (for the config boundary), every problem in one error. */
export function validateNotifyConfig(list: readonly unknown[], prefix: (string | number)[] = []): ChannelConfig[] {
  const problems: string[] = []
  const out: ChannelConfig[] = []
  list.forEach((raw, i) => {
    try {
      out.push(parseChannelConfig(raw, i, prefix))
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error))
    }
  })
  if (problems.length) throw new ConfigError(problems.join('\n'))
  return out
}

/** Registers the values of a channel that must never show up in a log, event or evidence file. */
export function registerChannelSecrets(config: ChannelConfig, redactor: Redactor): void {
  if (config.kind === 'slack') redactor.addUrl(config.webhook)
  if (config.kind === 'webhook') {
    redactor.addUrl(config.url)
    redactor.add(config.secret)
    for (const v of Object.values(config.headers)) redactor.add(v)
  }
  if (config.kind === 'email') redactor.add(config.password)
}
