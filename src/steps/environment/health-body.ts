/** How healthy something says it is, in three words (plus unknown when it does not say). */
export type HealthWord = 'healthy' | 'degraded' | 'unhealthy' | 'unknown'

export interface SubCheck {
  name: string
  status: HealthWord
  /** The word the app used ("up", "pass", "ok"…), and any message it gave. */
  said: string
  message?: string
}

export interface HealthBody {
  status: HealthWord
  said?: string
  checks: SubCheck[]
}

const WORDS: Record<string, HealthWord> = {
  ok: 'healthy', healthy: 'healthy', pass: 'healthy', passed: 'healthy', passing: 'healthy', up: 'healthy',
  green: 'healthy', success: 'healthy', alive: 'healthy', ready: 'healthy', live: 'healthy', true: 'healthy',
  degraded: 'degraded', warn: 'degraded', warning: 'degraded', yellow: 'degraded', partial: 'degraded',
  unhealthy: 'unhealthy', fail: 'unhealthy', failed: 'unhealthy', failing: 'unhealthy', failure: 'unhealthy',
  down: 'unhealthy', error: 'unhealthy', red: 'unhealthy', critical: 'unhealthy', false: 'unhealthy',
  out_of_service: 'unhealthy', unavailable: 'unhealthy', not_ready: 'unhealthy',
}

const STATUS_FIELDS = ['status', 'state', 'health', 'healthy', 'ok']
const CHECK_FIELDS = ['checks', 'components', 'details', 'services', 'dependencies']

export function healthWord(value: unknown): HealthWord {
  if (typeof value === 'boolean') return value ? 'healthy' : 'unhealthy'
  if (typeof value !== 'string') return 'unknown'
  return WORDS[value.trim().toLowerCase().replace(/[\s-]+/g, '_')] ?? 'unknown'
}

/**
 * Reads a health endpoint's JSON body in the shapes apps use: `{status, checks}` with checks as a map
 * or a list (the IETF draft's map of lists included), Spring's `{status: "UP", components}`, or
 * `{ok: true}`. A body that says nothing gives `unknown`; the status code then decides.
 */
export function parseHealthBody(body: unknown): HealthBody {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: healthWord(body), checks: [] }
  const record = body as Record<string, unknown>
  const field = STATUS_FIELDS.find((f) => record[f] !== undefined && healthWord(record[f]) !== 'unknown')
  const checks = CHECK_FIELDS.flatMap((f) => subChecks(record[f]))
  const own = field ? healthWord(record[field]) : 'unknown'
  return { status: own !== 'unknown' ? own : worst(checks.map((c) => c.status)), said: field ? String(record[field]) : undefined, checks }
}

function subChecks(value: unknown): SubCheck[] {
  if (!value || typeof value !== 'object') return []
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => {
      if (!item || typeof item !== 'object') return []
      const o = item as Record<string, unknown>
      const name = String(o.name ?? o.id ?? o.component ?? o.componentId ?? o.key ?? `#${i + 1}`)
      return [one(name, o)]
    })
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([name, v]) => {
    if (Array.isArray(v)) {
      // IETF draft: "db:responseTime": [{ status: "pass", … }, …] — the worst entry speaks for the name.
      const entries = v.filter((e) => e && typeof e === 'object').map((e) => one(name, e as Record<string, unknown>))
      if (!entries.length) return []
      const status = worst(entries.map((e) => e.status))
      return [entries.find((e) => e.status === status) ?? entries[0]!]
    }
    if (v && typeof v === 'object') {
      const check = one(name, v as Record<string, unknown>)
      // An object without any status word is information (a version, a pool size), not a check.
      return check.said ? [check] : []
    }
    const word = healthWord(v)
    return word === 'unknown' ? [] : [{ name, status: word, said: String(v) }]
  })
}

function one(name: string, o: Record<string, unknown>): SubCheck {
  const field = STATUS_FIELDS.find((f) => o[f] !== undefined && (typeof o[f] === 'string' || typeof o[f] === 'boolean'))
  const message = ['message', 'error', 'output', 'reason', 'description'].map((k) => o[k]).find((v) => typeof v === 'string') as string | undefined
  return { name, status: field ? healthWord(o[field]) : 'unknown', said: field ? String(o[field]) : '', ...(message ? { message } : {}) }
}

const RANK: Record<HealthWord, number> = { unknown: 0, healthy: 1, degraded: 2, unhealthy: 3 }

export function worst(words: HealthWord[]): HealthWord {
  return words.reduce<HealthWord>((w, x) => (RANK[x] > RANK[w] ? x : w), 'unknown')
}
