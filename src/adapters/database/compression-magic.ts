/** The first bytes of each compression format rollout writes. */
const MAGIC: Record<'zstd' | 'gzip', Buffer> = {
  zstd: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
  gzip: Buffer.from([0x1f, 0x8b]),
}

export const MAGIC_BYTES = 4

/** Which format a (decrypted) backup body starts like; null when neither. */
export function detectCompression(head: Buffer): 'zstd' | 'gzip' | null {
  for (const kind of ['zstd', 'gzip'] as const) if (head.subarray(0, MAGIC[kind].length).equals(MAGIC[kind])) return kind
  return null
}

/**
 * One sentence when the body is not compressed the way the manifest says: caught from the first
 * bytes, before a restore changes anything, instead of by the decompressor in the middle of one.
 */
export function compressionProblem(head: Buffer, expected: 'zstd' | 'gzip'): string | null {
  const found = detectCompression(head)
  if (found === expected) return null
  return found ? `the backup file is ${found}-compressed, but its manifest says ${expected}` : `the backup file is not ${expected}-compressed, as its manifest says`
}
