import { isObjectLocation } from './location.js'
import { localStorage } from './local-storage.js'
import { s3Storage } from './s3-storage.js'
import type { Storage } from './storage.js'

/**
 * The storage behind a location: a local folder, or S3-compatible object storage whose endpoint,
 * region, path style and credentials come from `env` (the AWS variables; `s3Environment` puts the
 * config's `storage` settings there).
 */
export function openStorage(location: string, env: NodeJS.ProcessEnv = process.env): Storage {
  return isObjectLocation(location) ? s3Storage(location, env) : localStorage(location)
}
