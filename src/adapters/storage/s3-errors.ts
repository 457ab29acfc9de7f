import { StorageError } from './errors.js'

/*
 * The SDK's failures, turned into StorageErrors in one place. Every message names the object
 * (`s3://bucket/key`) and never a credential: the service's own words are printed with any
 * credential value blanked out, and the hint names the variables, not their values.
 */

/** Where a request went: for the message, and the credential values to keep out of it. */
export interface S3Place {
  location: string
  bucket: string
  /** The endpoint as printed, or undefined for AWS's own. */
  endpoint: string | undefined
  region: string
  secrets: readonly string[]
}

/** The fields the SDK puts on what it throws: service errors, network errors and credential errors alike. */
interface SdkFailure {
  name?: string
  code?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
}

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket'])
const ACCESS_NAMES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'CredentialsProviderError',
])
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'])
// S3 itself never fills up, but S3-compatible servers do (MinIO says so with this code).
const FULL_NAMES = new Set(['XMinioStorageFull', 'QuotaExceeded'])

const CREDENTIALS_HINT =
  'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), and that they may use this bucket'

export function s3StorageError(error: unknown, place: S3Place): StorageError {
  if (error instanceof StorageError) return error
  const failure = (error ?? {}) as SdkFailure
  const name = failure.name ?? ''
  const status = failure.$metadata?.httpStatusCode
  const said = redact(failure.message || name || 'unknown error', place.secrets)
  const options = { cause: error }

  if (name === 'NoSuchBucket') return noSuchBucketError(place, error)
  if (NOT_FOUND_NAMES.has(name) || status === 404) {
    return new StorageError('NOT_FOUND', `${place.location} does not exist`, undefined, options)
  }
  if (ACCESS_NAMES.has(name) || status === 401 || status === 403) {
    return new StorageError('ACCESS', `access to ${place.location} refused: ${said}`, CREDENTIALS_HINT, options)
  }
  if (isUnreachable(failure)) {
    return new StorageError(
      'UNREACHABLE',
      `cannot reach ${endpointName(place)} for ${place.location} (${failure.code ?? name})`,
      'check AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) and that the storage server is up and reachable from here',
      options,
    )
  }
  if (FULL_NAMES.has(name)) {
    return new StorageError('FULL', `no space left for ${place.location}: ${said}`, undefined, options)
  }
  const detail = [name, status ? `HTTP ${status}` : ''].filter(Boolean).join(', ')
  return new StorageError('FAILED', `${place.location}: ${said}${detail && !said.includes(detail) ? ` (${detail})` : ''}`, undefined, options)
}

/** A HEAD of the bucket answers a bare 404: the caller knows it asked about the bucket. */
export function noSuchBucketError(place: S3Place, cause: unknown): StorageError {
  return new StorageError('NOT_FOUND', `bucket "${place.bucket}" does not exist (${place.location})`, 'create the bucket, or fix the location', { cause })
}

/** No such object (or no such bucket): a HEAD answers a bare 404, a GET names NoSuchKey. */
export function isMissing(error: unknown): boolean {
  const failure = error as SdkFailure | undefined
  return NOT_FOUND_NAMES.has(failure?.name ?? '') || failure?.$metadata?.httpStatusCode === 404
}

/** The object is missing but the bucket is there: what a reader may treat as "no such file". */
export function isNoSuchKey(error: unknown): boolean {
  return (error as SdkFailure | undefined)?.name === 'NoSuchKey'
}

function isUnreachable(failure: SdkFailure): boolean {
  return UNREACHABLE_CODES.has(failure.code ?? '') || failure.name === 'TimeoutError'
}

function endpointName(place: S3Place): string {
  return place.endpoint ?? `AWS S3 in ${place.region}`
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (secret ? out.split(secret).join('***') : out), text)
}
