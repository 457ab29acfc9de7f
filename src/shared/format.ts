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
export function verificationDetail(v: { level: 'quick' | 'full'; hashOnly?: boolean }, tables: number): string {
  if (v.level === 'full') return `restored into a scratch schema, ${tables} table checksums equal the manifest`
  return v.hashOnly ? 'file hash read back; every frame was decompressed and checked as it was written' : 'file hash, trailer and every table present'
}
