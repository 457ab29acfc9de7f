/** The `rel="next"` address of a GitHub `Link` header, or null on the last page. */
export function nextPageUrl(link: string | undefined): string | null {
  if (!link) return null
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim())
    if (match && match[2]!.split(/\s+/).includes('next')) return match[1]!
  }
  return null
}
