/** The value at a dotted path of a JSON value ("version", "build.commit"); undefined when absent. */
export function valueAt(json: unknown, field: string): unknown {
  let value: unknown = json
  for (const key of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/**
 * Whether the version an app reports is the release. Exact, except that two commit ids (hex, at
 * least 7 characters) match when one is the other's prefix: a release given as a full SHA while
 * the app reports the short one, or the other way round.
 */
export function matchesRelease(reported: unknown, release: string): boolean {
  if (typeof reported !== 'string' && typeof reported !== 'number') return false
  const value = String(reported).trim()
  if (value === release) return true
  const commit = /^[0-9a-f]{7,40}$/i
  if (commit.test(value) && commit.test(release)) {
    const [a, b] = [value.toLowerCase(), release.toLowerCase()]
    return a.startsWith(b) || b.startsWith(a)
  }
  return false
}
