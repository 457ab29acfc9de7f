import { createHash, timingSafeEqual } from 'node:crypto'
import { joinLocation, locationName, parentLocation } from '../storage/location.js'
import { readTextAt, writeTextAt } from '../storage/files.js'
import { loadKey, manifestMac } from './encryption.js'

/**
 * What was recorded about a manifest when rollout wrote it: its SHA-256 and, for an encrypted
 * backup, an HMAC with a key derived from the backup key. Kept beside the manifest as
 * `<id>.seal.json`, one file per backup so that two writers never share one record.
 */
export interface ManifestSeal {
  format: 1
  /** The manifest's file name. */
  manifest: string
  sha256: string
  hmac?: { keyEnv: string; keyId: string; value: string }
}

/** checked: the hash matches; authenticated: the HMAC too; unsealed: nothing was recorded (a backup from before seals). */
export type SealStatus = 'checked' | 'authenticated' | 'unsealed'

export const SEAL_SUFFIX = '.seal.json'

export function sealPathFor(manifestPath: string): string {
  const base = locationName(manifestPath)
  return joinLocation(parentLocation(manifestPath), base.slice(0, base.indexOf('.') > 0 ? base.indexOf('.') : base.length) + SEAL_SUFFIX)
}

export function sealFor(manifestPath: string, text: string, key: { key: Buffer; keyEnv: string; keyId: string } | null): ManifestSeal {
  return {
    format: 1,
    manifest: locationName(manifestPath),
    sha256: sha256(text),
    ...(key ? { hmac: { keyEnv: key.keyEnv, keyId: key.keyId, value: manifestMac(key.key, text) } } : {}),
  }
}

/**
 * The manifest's text against its seal; a problem (one sentence) when they disagree. `encrypted`
 * comes from the manifest: an encrypted backup's seal must carry an HMAC, or anyone could rewrite
 * both files. The HMAC is checked when the key is in `env`; without it the restore stops at the key anyway.
 */
export function checkSeal(text: string, seal: ManifestSeal | null, encrypted: boolean, env: NodeJS.ProcessEnv): { status: SealStatus; problem?: string } {
  if (!seal) return { status: 'unsealed' }
  if (seal.sha256 !== sha256(text)) return { status: 'checked', problem: 'its SHA-256 is not the one recorded when the backup was written' }
  if (encrypted && !seal.hmac) return { status: 'checked', problem: 'the backup is encrypted but no HMAC of the manifest was recorded' }
  if (!seal.hmac) return { status: 'checked' }
  let key: Buffer
  try {
    const loaded = loadKey(seal.hmac.keyEnv, env)
    if (loaded.info.keyId !== seal.hmac.keyId) return { status: 'checked' }
    key = loaded.key
  } catch {
    return { status: 'checked' }
  }
  const expected = Buffer.from(manifestMac(key, text), 'hex')
  const recorded = Buffer.from(seal.hmac.value, 'hex')
  if (expected.length !== recorded.length || !timingSafeEqual(expected, recorded)) return { status: 'checked', problem: 'its HMAC does not authenticate with the backup key' }
  return { status: 'authenticated' }
}

export async function readSeal(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ManifestSeal | null> {
  const text = await readTextAt(file, env)
  if (text === null) return null
  try {
    const seal = JSON.parse(text) as ManifestSeal
    if (seal && typeof seal.sha256 === 'string') return seal
  } catch {
    // below
  }
  // A seal that cannot be read protects nothing: treated as one that does not match.
  return { format: 1, manifest: '', sha256: '' }
}

/** Owner-only and atomic, like the manifest. */
export async function writeSeal(file: string, seal: ManifestSeal, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await writeTextAt(file, JSON.stringify(seal, null, 2) + '\n', env)
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
