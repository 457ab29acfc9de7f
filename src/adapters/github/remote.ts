/** A GitHub repository as a git remote names it. */
export interface RepoRef {
  owner: string
  name: string
  /** Host of the remote (github.com, or a GitHub Enterprise host). */
  host?: string
}

/** 'owner/name' → RepoRef; null when the text is not of that shape. */
export function parseRepoSlug(slug: string): RepoRef | null {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?$/.exec(slug.trim())
  return match ? { owner: match[1]!, name: match[2]! } : null
}

/**
 * Owner and name from a remote URL in any of git's spellings: https://host/o/r(.git),
 * git@host:o/r(.git), ssh://git@host(:port)/o/r(.git), git://host/o/r.
 */
export function parseRemoteUrl(url: string): RepoRef | null {
  const text = url.trim()
  const scp = /^(?:[^@\s/]+@)?([^:\s/]+):(?!\/\/)\/?([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(text)
  if (scp) return { host: scp[1]!, owner: scp[2]!, name: scp[3]! }
  try {
    const parsed = new URL(text)
    const parts = parsed.pathname.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '').split('/')
    if (parts.length < 2) return null
    // GitHub Enterprise may serve repositories under a path prefix; owner and name are the last two.
    return { host: parsed.hostname, owner: parts[parts.length - 2]!, name: parts[parts.length - 1]! }
  } catch {
    return null
  }
}

/** The REST base of the host a remote points at: api.github.com for github.com, /api/v3 for Enterprise. */
export function apiUrlForHost(host: string | undefined): string {
  if (!host || host === 'github.com' || host === 'www.github.com') return 'https://api.github.com'
  return `https://${host}/api/v3`
}

/** The GraphQL endpoint beside a REST base: api.github.com/graphql, or HOST/api/graphql for Enterprise. */
export function graphqlUrlFor(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '')
  if (/\/api\/v3$/.test(base)) return base.replace(/\/api\/v3$/, '/api/graphql')
  return `${base}/graphql`
}
