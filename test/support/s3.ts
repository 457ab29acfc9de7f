import { mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'

/** The part of s3rver's API the tests use (the package ships no types). */
interface S3rverOptions {
  address: string
  port: number
  silent: boolean
  directory: string
  configureBuckets: { name: string }[]
}
interface S3rverInstance {
  run(): Promise<AddressInfo>
  close(): Promise<void>
  httpServer?: Server
}
type S3rverClass = new (options: S3rverOptions) => S3rverInstance

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass

/** s3rver knows one account; it checks the key id but not the signature. */
export const TEST_S3_ACCESS_KEY_ID = 'S3RVER'
export const TEST_S3_SECRET_ACCESS_KEY = 'S3RVER'
export const TEST_S3_BUCKET = 'rollout-test'

export interface TestS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string
  bucket: string
  /** The AWS variables a caller passes to rollout (or to s3Storage) to reach this server. */
  env: NodeJS.ProcessEnv
  /** Every request the server received, as `METHOD /path?query`: how a test sees parts go up. */
  requests: string[]
  stop(): Promise<void>
}

/**
 * An S3-compatible server in this process on a free port, storing into a fresh temp folder, with
 * one bucket. Rollout run as a child process reaches it through `env`.
 */
export async function startTestS3(): Promise<TestS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'rollout-s3-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: TEST_S3_BUCKET }],
  })
  const address = await server.run().catch(async (error: unknown) => {
    await rm(directory, { recursive: true, force: true })
    throw error
  })
  const endpoint = `http://127.0.0.1:${address.port}`
  const requests: string[] = []
  server.httpServer?.on('request', (request: { method?: string; url?: string }) => requests.push(`${request.method} ${request.url}`))
  return {
    requests,
    endpoint,
    bucket: TEST_S3_BUCKET,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_S3_FORCE_PATH_STYLE: '1',
      AWS_ACCESS_KEY_ID: TEST_S3_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: TEST_S3_SECRET_ACCESS_KEY,
    },
    async stop() {
      // Clients keep connections alive; closing waits for every one of them to end otherwise.
      server.httpServer?.closeAllConnections()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
