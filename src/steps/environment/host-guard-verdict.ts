import type { HttpFailureStage } from '../../adapters/http/request.js'

/** What one probe request got back: an answer, or the stage at which it failed. */
export type ProbeAnswer =
  | { kind: 'response'; status: number; location?: string }
  | { kind: 'error'; stage: HttpFailureStage; code?: string; message: string }

export interface Judged {
  ok: boolean
  why: string
}

const REFUSALS = new Set([400, 403, 421])

/** The allowed host must get the app: any answer that is not a refusal or a server error. */
export function judgeAllowed(a: ProbeAnswer): Judged {
  if (a.kind === 'error') return { ok: false, why: a.message }
  if (REFUSALS.has(a.status)) return { ok: false, why: `refused with ${a.status}` }
  if (a.status >= 500) return { ok: false, why: `answered ${a.status}` }
  return { ok: true, why: `served (${a.status})` }
}

/**
 * A foreign host (a Host header the app does not own, or a bare IP address) must be refused: a 4xx
 * the allowed host did not get, a redirect to an allowed host, or a connection closed without an
 * answer. Judged by behaviour, since many apps keep no setting that could be read instead.
 */
export function judgeForeign(a: ProbeAnswer, allowed: ProbeAnswer | undefined, allowedHosts: string[]): Judged {
  if (a.kind === 'error') {
    if (a.stage === 'timeout') return { ok: false, why: `no answer (${a.message}); a guard should refuse at once` }
    if (a.stage === 'connect' || a.stage === 'response' || a.stage === 'tls') return { ok: true, why: `connection refused or closed without an answer (${a.code ?? a.stage})` }
    return { ok: false, why: a.message }
  }
  if (a.status >= 400 && a.status < 500) {
    if (allowed?.kind === 'response' && allowed.status === a.status) {
      return { ok: false, why: `answered ${a.status}, the same as the allowed host, so the probe cannot tell a guard from a missing page; set the step's \`path\` option to a page the app serves` }
    }
    return { ok: true, why: `refused with ${a.status}` }
  }
  if (a.status >= 300 && a.status < 400 && a.location) {
    let host = ''
    try {
      host = new URL(a.location, 'http://placeholder.invalid').hostname
    } catch {
      // not a URL: judged as a plain answer below
    }
    if (allowedHosts.map((h) => h.toLowerCase()).includes(host.toLowerCase())) return { ok: true, why: `redirected to the allowed host ${host}` }
    return { ok: false, why: `served: redirected to ${a.location}` }
  }
  if (a.status >= 500) return { ok: false, why: `answered ${a.status} instead of refusing with a 4xx` }
  return { ok: false, why: `served with ${a.status}` }
}
