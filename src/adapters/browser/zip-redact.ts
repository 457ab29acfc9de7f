import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate'

/**
 * Rewrites a zip archive with every text entry passed through `redact`. A Playwright trace records
 * what was typed (a password's `fill`) and the network headers (session cookies): before it becomes
 * evidence those values are replaced. Images and other binary entries are copied unchanged; names
 * and their order are kept. The zip format itself is fflate's.
 */
export function redactZip(zip: Uint8Array, redact: (text: string) => string): Buffer {
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(zip)
  } catch (error) {
    throw new Error(`not a readable zip archive: ${(error as Error).message}`, { cause: error })
  }
  const rewritten: Zippable = {}
  for (const [name, data] of Object.entries(entries)) rewritten[name] = isText(name, data) ? strToU8(redact(strFromU8(data))) : data
  return Buffer.from(zipSync(rewritten, { level: 6 }))
}

const BINARY = /\.(jpe?g|png|webp|gif|woff2?|ttf|otf|ico|wasm|zip|gz|br|mp4|webm)$/i

/** By name first (a picture may hold no zero byte in its first 8 kB), then by content. */
function isText(name: string, data: Uint8Array): boolean {
  if (BINARY.test(name)) return false
  return !data.subarray(0, 8192).includes(0)
}
