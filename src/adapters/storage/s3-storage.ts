import { PassThrough, Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { parseObjectLocation } from './location.js'
import { isMissing, isNoSuchKey, noSuchBucketError, s3StorageError, type S3Place } from './s3-errors.js'
import type { Storage, StorageWriter, StoredObject } from './storage.js'

/** An upload is sent in parts of this size, at most two at a time: memory stays near 3 parts whatever the file's size. */
const PART_SIZE = 8 * 1024 * 1024
const PARTS_IN_FLIGHT = 2
/** Only the connection's setup is bounded: a part or a download may take long on a slow link. */
const CONNECTION_TIMEOUT_MS = 10_000

/** What the AWS variables in `env` say about reaching the storage. */
export interface S3Settings {
  endpoint: string | undefined
  region: string
  forcePathStyle: boolean
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined
}

export function s3Settings(env: NodeJS.ProcessEnv): S3Settings {
  const forcePathStyle = (env.AWS_S3_FORCE_PATH_STYLE ?? '').toLowerCase()
  return {
    endpoint: env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    forcePathStyle: forcePathStyle === '1' || forcePathStyle === 'true',
    credentials: credentialsFrom(env),
  }
}

/** Given explicitly so the `env` passed in counts, not this process's; absent, the SDK's usual chain looks. */
function credentialsFrom(env: NodeJS.ProcessEnv): S3Settings['credentials'] {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env
  if (!accessKeyId || !secretAccessKey) return undefined
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
}

function clientConfig(settings: S3Settings): S3ClientConfig {
  return {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // The SDK's default CRC32 checksums on every upload are not understood by many S3-compatible servers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS },
  }
}

/**
 * One client per set of settings in this process: its connections are kept and reused, so a
 * catalog of many backups (a manifest, a seal and a size each) costs requests, not handshakes.
 */
const clients = new Map<string, S3Client>()
function clientFor(settings: S3Settings): S3Client {
  const key = JSON.stringify(settings)
  let client = clients.get(key)
  if (!client) clients.set(key, (client = new S3Client(clientConfig(settings))))
  return client
}

/** The endpoint as printed: without any user or password written into its address. */
export function printableEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint)
    url.username = ''
    url.password = ''
    return url.toString().replace(/\/$/, '')
  } catch {
    return '(an endpoint that is not a valid address)'
  }
}

/** A bucket and key prefix in S3-compatible object storage, reached with the AWS variables in `env`. */
export function s3Storage(location: string, env: NodeJS.ProcessEnv): Storage {
  const { bucket, prefix } = parseObjectLocation(location)
  const settings = s3Settings(env)
  const endpoint = settings.endpoint ? printableEndpoint(settings.endpoint) : undefined
  const home = prefix ? `s3://${bucket}/${prefix}` : `s3://${bucket}`
  const secrets = [settings.credentials?.accessKeyId, settings.credentials?.secretAccessKey, settings.credentials?.sessionToken].filter(
    (value): value is string => !!value,
  )

  // Made on first use: opening a Storage only to describe it costs nothing.
  const s3 = () => clientFor(settings)
  const keyOf = (name: string) => (prefix ? `${prefix}/${name}` : name)
  const place = (name?: string): S3Place => ({
    location: name === undefined ? home : `s3://${bucket}/${keyOf(name)}`,
    bucket,
    endpoint,
    region: settings.region,
    secrets,
  })
  const failed = (name?: string) => (error: unknown) => {
    throw s3StorageError(error, place(name))
  }

  const storage: Storage = {
    location: home,
    describe: () => (endpoint ? `${home} at ${endpoint}` : home),
    async ensure() {
      // Buckets are made by whoever owns the account, with its policies: never here.
      await s3().send(new HeadBucketCommand({ Bucket: bucket })).catch((error) => {
        throw isMissing(error) ? noSuchBucketError(place(), error) : s3StorageError(error, place())
      })
    },
    async stat(name): Promise<StoredObject | null> {
      const head = await s3()
        .send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(name) }))
        .catch((error) => (isMissing(error) ? null : failed(name)(error)))
      if (!head) return null
      return { size: head.ContentLength ?? 0, modifiedMs: head.LastModified?.getTime() ?? 0 }
    },
    list: (opts = {}) => listNames(opts.recursive ?? false),
    async readText(name) {
      const object = await s3()
        .send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(name) }))
        .catch((error) => (isNoSuchKey(error) ? null : failed(name)(error)))
      if (!object) return null
      return (await object.Body?.transformToString('utf8').catch(failed(name))) ?? ''
    },
    async writeText(name, text) {
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(name), Body: text })).catch(failed(name))
    },
    async openRead(name, range) {
      const object = await s3()
        .send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(name), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }))
        .catch(failed(name))
      // In Node the body is the response itself, a Readable.
      return (object.Body as Readable | undefined) ?? Readable.from([])
    },
    openWrite: async (name) => openUpload(name),
    async remove(name) {
      await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(name) })).catch(failed(name))
    },
  }

  async function listNames(recursive: boolean): Promise<string[]> {
    const start = prefix ? `${prefix}/` : ''
    const names: string[] = []
    let token: string | undefined
    do {
      const page = await s3()
        .send(
          new ListObjectsV2Command({
            Bucket: bucket,
            ...(start ? { Prefix: start } : {}),
            // Without it S3 lists every key under the prefix; with it, deeper keys fold into CommonPrefixes.
            ...(recursive ? {} : { Delimiter: '/' }),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        )
        .catch(failed())
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(start.length)
        // A key ending in '/' is a folder marker some tools create: not a file.
        if (name && !name.endsWith('/')) names.push(name)
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    return names.sort()
  }

  /**
   * The caller writes into `stream`; the upload reads `body`. `body` ends only in commit(): the
   * upload cannot finish, and so nothing appears under the key, before the caller commits, and an
   * abort (even after the caller ended the stream) never completes it.
   */
  function openUpload(name: string): StorageWriter {
    const stream = new PassThrough()
    const body = new PassThrough()
    stream.pipe(body, { end: false })
    const upload = new Upload({
      client: s3(),
      params: { Bucket: bucket, Key: keyOf(name), Body: body },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    })
    let aborted = false
    const done = upload.done()
    // A failed upload stops reading `body`: the caller's writes would wait forever, so its stream fails instead.
    done.catch((error: unknown) => {
      if (!aborted) stream.destroy(s3StorageError(error, place(name)))
    })
    return {
      stream,
      async commit() {
        await finished(stream).catch(failed(name))
        body.end()
        await done.catch(failed(name))
      },
      async abort() {
        aborted = true
        stream.destroy()
        body.destroy()
        await upload.abort().catch(() => {})
        await done.catch(() => {})
      },
    }
  }

  return storage
}
