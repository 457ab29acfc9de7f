import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { formatDuration } from '../../../config/duration.js'
import { httpRequest } from '../../http/request.js'
import type { Activation } from './control.js'

export type HealthResult = { ok: true; answer: string } | { ok: false; reason: string }

/**
 * Waits until a new app answers its health path on its internal port with 2xx/3xx, bounded by
 * `timeoutMs`. It fails at once when the app exits. The request carries the site's host name (Host
 * header and TLS server name), so an app that serves only its own names still answers.
 */
export async function waitHealthy(opts: {
  port: number
  health: Activation['health']
  timeoutMs: number
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | null
}): Promise<HealthResult> {
  const ca = readCa(opts.health)
  if (typeof ca === 'object') return ca
  const deadline = Date.now() + opts.timeoutMs
  let last = 'no answer yet'
  for (;;) {
    const exit = opts.exited()
    if (exit) return { ok: false, reason: `the app exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}) before its health check passed (last: ${last})` }
    const result = await askHealth(opts.port, opts.health, ca)
    if (result.ok) return result
    last = result.reason
    if (Date.now() >= deadline) return { ok: false, reason: `health check ${opts.health.path} did not pass within ${formatDuration(opts.timeoutMs)} (last: ${last})` }
    await sleep(200)
  }
}

/** One health request to the app on its internal port (`rollout site status`), no retry. */
export async function checkHealthOnce(port: number, health: Activation['health']): Promise<HealthResult> {
  const ca = readCa(health)
  return typeof ca === 'object' ? ca : askHealth(port, health, ca)
}

function readCa(health: Activation['health']): string | undefined | { ok: false; reason: string } {
  if (!health.caFile) return undefined
  try {
    return readFileSync(health.caFile, 'utf8')
  } catch (error) {
    return { ok: false, reason: `cannot read the health check's CA file ${health.caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }
  }
}

/** The app itself answers, not the public port: behind a TLS front it speaks plain HTTP. */
async function askHealth(port: number, health: Activation['health'], ca: string | undefined): Promise<HealthResult> {
  const name = health.hostHeader ?? '127.0.0.1'
  try {
    const res = await httpRequest({
      url: `${health.https ? 'https' : 'http'}://${name}:${port}${health.path}`,
      headers: health.hostHeader ? { host: health.hostHeader } : {},
      resolve: { [name]: '127.0.0.1' },
      ca,
      insecure: health.https && !ca,
      timeoutMs: 5000,
      maxBodyBytes: 2000,
    })
    if (res.status >= 200 && res.status < 400) return { ok: true, answer: `HTTP ${res.status}` }
    return { ok: false, reason: `HTTP ${res.status}` }
  } catch (error) {
    return { ok: false, reason: (error as Error).message }
  }
}
