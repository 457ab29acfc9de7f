import { Router, type RequestHandler } from 'express'
import type { Pool } from 'mysql2'
import type { Release } from '../release.js'

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy'

export interface DatabaseCheck {
  status: HealthStatus
  latencyMs: number
  /** Why the database is not healthy, in the driver's words (never the URL or its password). */
  error?: string
}

const TIMEOUT_MS = 2000
// A database slower than this still answers, but something is wrong: degraded, not down.
const SLOW_MS = 1000

/** One `SELECT 1` through the pool, bounded so a firewalled database fails the check instead of hanging it. */
export async function checkDatabase(pool: Pool): Promise<DatabaseCheck> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      pool.promise().query('SELECT 1'),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS))),
    ])
    const latencyMs = elapsed()
    return { status: latencyMs > SLOW_MS ? 'degraded' : 'healthy', latencyMs }
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    return { status: 'unhealthy', latencyMs: elapsed(), error: e.message || e.code || 'unknown error' }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * TERP's health endpoints (no /api/health): `/health`: the overall status with its database check,
 * 503 when unhealthy. `/health/live`: the process answers. `/health/ready`: the database answers,
 * so a new release takes traffic only when it can serve it. `/version.json`: which release this is,
 * under `commit` as TERP reports it (here the release's id; `builtFrom` is the source commit).
 */
export function healthRoutes(pool: Pool, release: Release): Router {
  const router = Router()
  const noStore = { 'cache-control': 'no-store' }
  const full: RequestHandler = async (_req, res) => {
    const database = await checkDatabase(pool)
    res.status(database.status === 'unhealthy' ? 503 : 200).set(noStore).json({ status: database.status, checks: { database }, release: release.id })
  }
  router.get('/health', full)
  router.get('/health/live', (_req, res) => void res.set(noStore).json({ status: 'alive', release: release.id, uptimeSeconds: Math.round(process.uptime()) }))
  router.get('/health/ready', async (_req, res) => {
    const database = await checkDatabase(pool)
    const ready = database.status !== 'unhealthy'
    res.status(ready ? 200 : 503).set(noStore).json({ status: ready ? 'ready' : 'not ready', checks: { database } })
  })
  router.get('/version.json', (_req, res) => void res.set(noStore).json({ commit: release.id, release: release.id, ...(release.commit ? { builtFrom: release.commit } : {}) }))
  return router
}
