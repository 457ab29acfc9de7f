export interface HstsPolicy {
  maxAge: number | null
  includeSubDomains: boolean
  preload: boolean
  /** Why a browser would ignore or distrust the header. */
  problems: string[]
}

/** Parses a Strict-Transport-Security value (RFC 6797 §6.1). */
export function parseHsts(value: string): HstsPolicy {
  const problems: string[] = []
  // Two headers arrive joined by ", "; browsers use only the first one.
  const [first, ...rest] = value.split(/,\s*(?=max-age|includesubdomains|preload)/i)
  if (rest.length) problems.push(`more than one Strict-Transport-Security header; browsers use the first (${first!.trim()})`)
  const policy: HstsPolicy = { maxAge: null, includeSubDomains: false, preload: false, problems }
  const seen = new Set<string>()
  for (const raw of first!.split(';')) {
    const part = raw.trim()
    if (!part) continue
    const [nameRaw, ...valueParts] = part.split('=')
    const name = nameRaw!.trim().toLowerCase()
    if (seen.has(name)) problems.push(`directive ${name} appears twice, which makes the header invalid`)
    seen.add(name)
    const v = valueParts.join('=').trim().replace(/^"(.*)"$/, '$1')
    if (name === 'max-age') {
      if (/^\d+$/.test(v)) policy.maxAge = Number(v)
      else problems.push(`max-age has no whole number of seconds (${JSON.stringify(v)})`)
    } else if (name === 'includesubdomains') policy.includeSubDomains = true
    else if (name === 'preload') policy.preload = true
  }
  if (policy.maxAge === null && !problems.some((p) => p.startsWith('max-age'))) problems.push('no max-age directive, so browsers ignore the header')
  return policy
}

export interface HstsRules {
  minMaxAge: number
  /** true: includeSubDomains required; false: must be absent; undefined: either. */
  includeSubDomains?: boolean
  preload?: boolean
}

/** What falls short of the configured policy; empty when the header meets it. */
export function hstsShortfalls(header: string | undefined, rules: HstsRules): string[] {
  if (header === undefined) return ['no Strict-Transport-Security header']
  const policy = parseHsts(header)
  const out = [...policy.problems]
  if (policy.maxAge !== null && policy.maxAge < rules.minMaxAge) {
    out.push(`max-age=${policy.maxAge} is shorter than the required ${rules.minMaxAge} (${humanSeconds(rules.minMaxAge)})`)
  }
  if (rules.includeSubDomains === true && !policy.includeSubDomains) out.push('includeSubDomains is missing')
  if (rules.includeSubDomains === false && policy.includeSubDomains) out.push('includeSubDomains is set but configured off')
  if (rules.preload === true && !policy.preload) out.push('preload is missing')
  return out
}

export interface RedirectAnswer {
  status: number
  location?: string
}

/** A plain-HTTP request must be sent to HTTPS; null when it is. */
export function redirectShortfall(httpUrl: string, answer: RedirectAnswer): string | null {
  if (![301, 302, 303, 307, 308].includes(answer.status)) return `${httpUrl} answered ${answer.status} instead of redirecting to HTTPS`
  if (!answer.location) return `${httpUrl} answered ${answer.status} without a Location header`
  const target = new URL(answer.location, httpUrl)
  if (target.protocol !== 'https:') return `${httpUrl} redirects to ${target.toString()}, which is not HTTPS`
  return null
}

function humanSeconds(s: number): string {
  if (s % 31_536_000 === 0) return `${s / 31_536_000} year${s === 31_536_000 ? '' : 's'}`
  if (s % 86_400 === 0) return `${s / 86_400} days`
  return `${s} s`
}
