import { terpEnvironment } from '../steps/smoke/terp-flows.js'

/**
 * Presets: settings for a known app, put under an environment's own. `preset: 'terp'` gives TERP's
 * health and readiness paths, its smoke flows and tRPC calls, and wait-live on /version.json's
 * `commit`; anything the environment says itself wins, key by key (a step switched off stays off).
 */
export const PRESETS: Record<string, () => Record<string, unknown>> = { terp: terpEnvironment }

function plain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `over` on top of `under`: objects merge key by key, anything else (lists, false, values) replaces. */
export function mergeUnder(under: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...under }
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue
    out[k] = plain(v) && plain(out[k]) ? mergeUnder(out[k] as Record<string, unknown>, v) : v
  }
  return out
}

/** The environment with its preset's settings under it; unchanged without a (known) preset. */
export function applyPreset(environment: unknown): unknown {
  if (!plain(environment) || typeof environment.preset !== 'string') return environment
  const preset = PRESETS[environment.preset]
  return preset ? mergeUnder(preset(), environment) : environment
}
