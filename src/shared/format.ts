/** Sizes and ages as people read them in summaries and listings. */
export function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`
}

export function age(ms: number): string {
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} days`
}

/** What a passed verification of this level proved, in words. */
export function verificationDetail(level: 'quick' | 'full', tables: number): string {
  return level === 'full' ? `restored into a scratch schema, ${tables} table checksums equal the manifest` : 'file hash, trailer and every table present'
}
