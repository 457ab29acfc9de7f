import { randomBytes } from 'node:crypto'

/** Everything the server takes from its environment, checked once at start. */
export interface Settings {
  databaseUrl: string
  port: number
  host: string
  tls?: { certFile: string; keyFile: string }
  /** Host names this app serves; empty: any. */
  allowedHosts: string[]
  logFile?: string
  sessionSecret: string
  /** True when SESSION_SECRET was not set and a random one was made (sessions end at restart). */
  sessionSecretGenerated: boolean
}

export class SettingsError extends Error {}

/** Pure: reads the variables from `env`; throws SettingsError naming the variable that is wrong. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const databaseUrl = env.DATABASE_URL ?? ''
  if (!/^mysql:\/\//.test(databaseUrl)) throw new SettingsError('DATABASE_URL: expected mysql://user:password@host:port/database')
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SettingsError(`PORT: expected a port number, got ${JSON.stringify(env.PORT)}`)
  const certFile = env.TLS_CERT_FILE || undefined
  const keyFile = env.TLS_KEY_FILE || undefined
  if (Boolean(certFile) !== Boolean(keyFile)) throw new SettingsError('TLS_CERT_FILE and TLS_KEY_FILE: set both (HTTPS) or neither (HTTP)')
  const allowedHosts = (env.ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)
  return {
    databaseUrl,
    port,
    host: env.HOST || '127.0.0.1',
    ...(certFile && keyFile ? { tls: { certFile, keyFile } } : {}),
    allowedHosts,
    ...(env.LOG_FILE ? { logFile: env.LOG_FILE } : {}),
    sessionSecret: env.SESSION_SECRET || randomBytes(32).toString('base64url'),
    sessionSecretGenerated: !env.SESSION_SECRET,
  }
}
