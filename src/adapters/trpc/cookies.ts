/**
 * A small cookie jar for one origin: what a login answer sets is sent with the calls after it, as a
 * browser would. Values are session secrets: the jar never serialises them, and `values()` exists
 * only so the caller can register them with the redactor.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string; expires?: number }>()

  /**
   * Takes a Set-Cookie header. Node joins repeated headers with ", ", and an Expires date holds a
   * comma too, so cookies are split only where a comma is followed by `name=`.
   */
  absorb(setCookie: string | undefined, now = Date.now()): void {
    if (!setCookie) return
    for (const one of setCookie.split(/,\s*(?=[^;,=\s]+=)/)) {
      const [pair, ...attrs] = one.split(';')
      const eq = pair!.indexOf('=')
      if (eq <= 0) continue
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      let path = '/'
      let expires: number | undefined
      for (const attr of attrs) {
        const [k, ...rest] = attr.split('=')
        const key = k!.trim().toLowerCase()
        const v = rest.join('=').trim()
        if (key === 'path' && v) path = v
        else if (key === 'max-age' && /^-?\d+$/.test(v)) expires = now + Number(v) * 1000
        else if (key === 'expires' && expires === undefined) {
          const t = Date.parse(v)
          if (!Number.isNaN(t)) expires = t
        }
      }
      if (expires !== undefined && expires <= now) this.cookies.delete(name)
      else this.cookies.set(name, { value, path, expires })
    }
  }

  /** The Cookie header for a request to `pathname`, or undefined when nothing applies. */
  header(pathname = '/', now = Date.now()): string | undefined {
    const parts: string[] = []
    for (const [name, c] of this.cookies) {
      if (c.expires !== undefined && c.expires <= now) continue
      if (!(pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')) continue
      parts.push(`${name}=${c.value}`)
    }
    return parts.length ? parts.join('; ') : undefined
  }

  names(): string[] {
    return [...this.cookies.keys()]
  }

  /** The cookies themselves, to hand a session to a browser context (never to a log or a file). */
  entries(): { name: string; value: string; path: string; expires?: number }[] {
    return [...this.cookies].map(([name, c]) => ({ name, ...c }))
  }

  values(): string[] {
    return [...this.cookies.values()].map((c) => c.value)
  }
}
