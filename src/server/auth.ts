import { randomBytes, timingSafeEqual } from 'node:crypto'

/** Addresses only this machine can reach: the dashboard needs no token there. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * The sessions a token opened: a browser signs in once with the token and then carries an
 * HttpOnly, SameSite=Strict cookie; the token itself never sits in a cookie or a later URL.
 */
export class Sessions {
  private readonly open = new Set<string>()

  start(): string {
    const id = randomBytes(24).toString('base64url')
    this.open.add(id)
    return id
  }

  has(id: string | undefined): boolean {
    return id !== undefined && this.open.has(id)
  }
}
