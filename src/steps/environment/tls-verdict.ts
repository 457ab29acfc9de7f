import type { TlsProbeResult } from '../../adapters/tls/probe.js'

export interface TlsJudgement {
  status: 'passed' | 'warning' | 'failed'
  problems: string[]
  warnings: string[]
  /** Whole days until the certificate expires (negative once expired). */
  daysLeft: number
}

export interface TlsRules {
  now: Date
  /** Warn when the certificate expires within this many days. */
  warnDays: number
  minProtocol: 'TLSv1.2' | 'TLSv1.3'
}

const DAY = 86_400_000
const PROTOCOL_RANK: Record<string, number> = { SSLv3: 0, TLSv1: 1, 'TLSv1.1': 2, 'TLSv1.2': 3, 'TLSv1.3': 4 }

/** What is wrong with a certificate and its handshake, each in words a user can act on. */
export function judgeTls(probe: TlsProbeResult, rules: TlsRules): TlsJudgement {
  const problems: string[] = []
  const warnings: string[] = []
  const cert = probe.certificate
  const validTo = new Date(cert.validTo)
  const validFrom = new Date(cert.validFrom)
  const daysLeft = Math.floor((validTo.getTime() - rules.now.getTime()) / DAY)

  const daysAgo = Math.floor((rules.now.getTime() - validTo.getTime()) / DAY)
  if (validTo.getTime() < rules.now.getTime()) problems.push(`certificate expired on ${day(validTo)} (${daysAgo === 0 ? 'today' : `${daysAgo} day${daysAgo === 1 ? '' : 's'} ago`})`)
  else if (validFrom.getTime() > rules.now.getTime()) problems.push(`certificate is not valid before ${day(validFrom)}`)
  else if (daysLeft < rules.warnDays) warnings.push(`certificate expires on ${day(validTo)}, in ${daysLeft} day${daysLeft === 1 ? '' : 's'} (warning below ${rules.warnDays})`)

  const trust = trustProblem(probe)
  if (trust) problems.push(trust)
  if (probe.hostnameError) {
    const names = cert.subjectAltNames.length ? cert.subjectAltNames.join(', ') : cert.subject
    problems.push(`certificate does not cover ${probe.servername ?? probe.host} (it names ${names})`)
  }
  const rank = probe.protocol ? PROTOCOL_RANK[probe.protocol] : undefined
  if (rank === undefined || rank < PROTOCOL_RANK[rules.minProtocol]!) {
    problems.push(`protocol ${probe.protocol ?? 'unknown'} is below ${rules.minProtocol}`)
  }
  return { status: problems.length ? 'failed' : warnings.length ? 'warning' : 'passed', problems, warnings, daysLeft }
}

/** The chain's verdict; expiry and not-yet-valid are left to the date checks, which say when. */
function trustProblem(probe: TlsProbeResult): string | null {
  if (probe.authorized) return null
  const code = probe.authorizationError ?? 'unknown reason'
  const cert = probe.certificate
  const addCa = 'trust its CA with the step\'s `ca` option or NODE_EXTRA_CA_CERTS'
  switch (code) {
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return null
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return `self-signed certificate (${cert.subject}) is not trusted; ${addCa}`
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return `the chain ends in a self-signed root that is not trusted (${probe.chain.at(-1)?.subject ?? cert.issuer}); ${addCa}`
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return `issued by an unknown CA (${cert.issuer}), or the server does not send the intermediate certificate; ${addCa}`
    default:
      return `certificate chain not trusted (${code})`
  }
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10)
}
