import { createHash } from 'node:crypto'
import { Transform } from 'node:stream'

/** A pass-through that hashes (SHA-256) and counts the bytes of the file as they flow by. */
export interface HashTap {
  stream: Transform
  /** The hex digest; call once, after the stream has ended. */
  sha256(): string
  bytes(): number
}

export function hashTap(): HashTap {
  const hash = createHash('sha256')
  let bytes = 0
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      bytes += chunk.length
      done(null, chunk)
    },
  })
  return { stream, sha256: () => hash.digest('hex'), bytes: () => bytes }
}
