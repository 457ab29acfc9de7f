import { open } from 'node:fs/promises'

/**
 * The last `count` non-empty lines of a text file, read backwards in chunks so a large log is not
 * read whole. A missing file has no lines.
 */
export async function tailLines(file: string, count: number): Promise<string[]> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch {
    return []
  }
  try {
    const { size } = await handle.stat()
    const chunks: Buffer[] = []
    let position = size
    let newlines = 0
    // One line more than asked for, since the first one read may be cut; blank lines are few.
    while (position > 0 && newlines <= count + 1) {
      const length = Math.min(64 * 1024, position)
      position -= length
      const buffer = Buffer.alloc(length)
      await handle.read(buffer, 0, length, position)
      chunks.unshift(buffer)
      for (const byte of buffer) if (byte === 0x0a) newlines++
    }
    // Decoded once, whole, so a character split between two chunks stays intact.
    const lines = Buffer.concat(chunks).toString('utf8').split('\n')
    if (position > 0) lines.shift()
    return lines.filter((l) => l.trim()).slice(-count)
  } finally {
    await handle.close()
  }
}
