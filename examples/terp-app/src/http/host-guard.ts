import type { RequestHandler } from 'express'

/** The host name of a Host header, without port, lower case (IPv6 literals keep their brackets). */
export function hostName(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase()
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1)
  return h.replace(/:\d+$/, '')
}

/**
 * Serves only the names in ALLOWED_HOSTS: any other Host header — another name, or the bare IP a
 * scanner uses — gets 421 Misdirected Request, so the app cannot be reached under a name it does
 * not own (DNS rebinding, host-header poisoning of absolute links).
 */
export function hostGuard(allowed: string[]): RequestHandler {
  const names = new Set(allowed)
  return (req, res, next) => {
    if (names.size === 0 || names.has(hostName(req.headers.host))) return next()
    res.status(421).type('text/plain').send(`Misdirected request: this server does not serve the host ${JSON.stringify(hostName(req.headers.host))}\n`)
  }
}

/** HTTPS only: browsers keep to HTTPS for a year, subdomains included. */
export const hsts: RequestHandler = (_req, res, next) => {
  res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')
  next()
}
