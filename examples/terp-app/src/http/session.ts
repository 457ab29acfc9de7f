import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Sessions as signed cookies: the payload (who, which kind of login, until when) in base64url,
 * then an HMAC-SHA256 of it with SESSION_SECRET. Nothing is stored on the server, so any process
 * of the app with the same secret accepts the cookie.
 */

export const STAFF_COOKIE = 'terp_session'
export const PORTAL_COOKIE = 'terp_portal'
const EIGHT_HOURS = 8 * 3600

export interface Session {
  kind: 'staff' | 'portal'
  /** users.id for staff, clients.id for the portal. */
  id: number
  name: string
  /** Expiry, seconds since the epoch. */
  exp: number
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url')
}

export function signSession(secret: string, s: Omit<Session, 'exp'>, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ ...s, exp: Math.floor(now / 1000) + EIGHT_HOURS })).toString('base64url')
  return `${payload}.${mac(secret, payload)}`
}

/** The session in a cookie value, or null when it is missing, forged, of another kind, or expired. */
export function readSession(secret: string, value: string | undefined, kind: Session['kind'], now = Date.now()): Session | null {
  if (!value) return null
  const [payload, signature] = value.split('.')
  if (!payload || !signature) return null
  const expected = Buffer.from(mac(secret, payload))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
  try {
    const s = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session
    return s.kind === kind && typeof s.id === 'number' && s.exp * 1000 > now ? s : null
  } catch {
    return null
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim())
  }
  return out
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Secure over HTTPS; an empty value clears the cookie. */
export function cookieHeader(name: string, value: string, secure: boolean): string {
  const life = value ? `Max-Age=${EIGHT_HOURS}` : 'Max-Age=0'
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; ${life}${secure ? '; Secure' : ''}`
}
