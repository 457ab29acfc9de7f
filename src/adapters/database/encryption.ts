import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, type DecipherGCM } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { DatabaseError } from './errors.js'

/** Written before the ciphertext, so an encrypted backup says what it is even without its manifest. */
const MAGIC = Buffer.from('RLBKGCM1')
const IV_BYTES = 12
const TAG_BYTES = 16
export const ENCRYPTION_HEADER_BYTES = MAGIC.length + IV_BYTES

export interface EncryptionInfo {
  algorithm: 'aes-256-gcm'
  /** The environment variable holding the key (never the key itself). */
  keyEnv: string
  /** A hash of the key, to say "wrong key" before decrypting anything. */
  keyId: string
}

/**
 * Reads a 256-bit key from an environment variable: 64 hex characters or base64 of 32 bytes
 * (`openssl rand -hex 32`). Errors name the variable, never its value.
 */
export function loadKey(keyEnv: string, env: NodeJS.ProcessEnv = process.env): { key: Buffer; info: EncryptionInfo } {
  const raw = env[keyEnv]?.trim()
  if (!raw) throw new DatabaseError('KEY', `environment variable ${keyEnv} (the backup encryption key) is not set`, `set it to 32 random bytes, e.g. export ${keyEnv}=$(openssl rand -hex 32)`)
  let key: Buffer | null = null
  if (/^[0-9a-fA-F]{64}$/.test(raw)) key = Buffer.from(raw, 'hex')
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(raw)) key = Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64')
  if (!key || key.length !== 32) {
    throw new DatabaseError('KEY', `environment variable ${keyEnv} does not hold a 256-bit key: expected 64 hex characters or 44 base64 characters`, `e.g. export ${keyEnv}=$(openssl rand -hex 32)`)
  }
  return { key, info: { algorithm: 'aes-256-gcm', keyEnv, keyId: keyId(key) } }
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('rollout-backup-key\0').update(key).digest('hex').slice(0, 16)
}

/**
 * HMAC-SHA256 of a manifest, hex, with a key derived from the backup key (never the key itself:
 * the derived one is used for nothing else).
 */
export function manifestMac(key: Buffer, text: string): string {
  const macKey = createHash('sha256').update('rollout-manifest-seal\0').update(key).digest()
  return createHmac('sha256', macKey).update(text).digest('hex')
}

/** AES-256-GCM over the whole stream: header (magic, IV), ciphertext, then the 16-byte tag. */
export function encryptStream(key: Buffer): Transform {
  const iv = randomBytes(IV_BYTES)
  const header = Buffer.concat([MAGIC, iv])
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(header)
  let started = false
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (!started) {
        started = true
        this.push(header)
      }
      done(null, cipher.update(chunk))
    },
    flush(done: TransformCallback) {
      if (!started) this.push(header)
      this.push(cipher.final())
      done(null, cipher.getAuthTag())
    },
  })
}

/**
 * Decrypts what encryptStream wrote. The tag is checked at the end; a caller that must not act on
 * unauthenticated bytes reads the whole stream first (verification does).
 */
export function decryptStream(key: Buffer): Transform {
  let header = Buffer.alloc(0)
  let decipher: DecipherGCM | null = null
  let held = Buffer.alloc(0)
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        if (!decipher) {
          header = Buffer.concat([header, chunk])
          if (header.length < ENCRYPTION_HEADER_BYTES) return done()
          if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new DatabaseError('INVALID_BACKUP', 'the backup file is not an encrypted backup (its header is missing)')
          decipher = createDecipheriv('aes-256-gcm', key, header.subarray(MAGIC.length, ENCRYPTION_HEADER_BYTES)) as DecipherGCM
          decipher.setAAD(header.subarray(0, ENCRYPTION_HEADER_BYTES))
          chunk = header.subarray(ENCRYPTION_HEADER_BYTES)
        }
        // The last 16 bytes are the tag: hold them back until the end.
        const all = held.length ? Buffer.concat([held, chunk]) : chunk
        const cut = Math.max(0, all.length - TAG_BYTES)
        held = Buffer.from(all.subarray(cut))
        done(null, decipher.update(all.subarray(0, cut)))
      } catch (error) {
        done(error as Error)
      }
    },
    flush(done: TransformCallback) {
      try {
        if (!decipher || held.length !== TAG_BYTES) throw new DatabaseError('INVALID_BACKUP', 'the encrypted backup file is truncated')
        decipher.setAuthTag(held)
        done(null, decipher.final())
      } catch (error) {
        if (error instanceof DatabaseError) return done(error)
        done(new DatabaseError('INVALID_BACKUP', 'the encrypted backup does not authenticate: the file was changed or the key is not the one it was made with', undefined, { cause: error }))
      }
    },
  })
}
