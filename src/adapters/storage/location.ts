import path from 'node:path'

/**
 * Where files live: an absolute local path, or `s3://bucket/prefix` in S3-compatible object
 * storage. Backups and evidence are addressed by such a location plus a name, so one machine can
 * write what another reads.
 */
export type Location = string

export function isObjectLocation(location: Location): boolean {
  return location.startsWith('s3://')
}

/** `s3://bucket/some/prefix` → bucket and key prefix (no leading or trailing slash). */
export function parseObjectLocation(location: Location): { bucket: string; prefix: string } {
  const rest = location.slice('s3://'.length)
  const slash = rest.indexOf('/')
  const bucket = slash < 0 ? rest : rest.slice(0, slash)
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '')
  return { bucket, prefix }
}

/** A local path made absolute against `root`; an object location kept, without a trailing slash. */
export function resolveLocation(location: Location, root: string): Location {
  return isObjectLocation(location) ? location.replace(/\/+$/, '') : path.resolve(root, location)
}

/** A location as a person reads it: a local path relative to `cwd`, an object location whole. */
export function displayLocation(location: Location, cwd: string): string {
  return isObjectLocation(location) ? location : path.relative(cwd, location)
}

export function joinLocation(dir: Location, name: string): Location {
  return isObjectLocation(dir) ? `${dir.replace(/\/+$/, '')}/${name}` : path.join(dir, name)
}

export function parentLocation(location: Location): Location {
  if (!isObjectLocation(location)) return path.dirname(location)
  const trimmed = location.replace(/\/+$/, '')
  const slash = trimmed.lastIndexOf('/')
  return slash < 's3://'.length ? trimmed : trimmed.slice(0, slash)
}

export function locationName(location: Location): string {
  return isObjectLocation(location) ? location.replace(/\/+$/, '').split('/').pop()! : path.basename(location)
}
