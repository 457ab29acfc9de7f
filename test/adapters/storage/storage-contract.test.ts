import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { StorageError } from '../../../src/adapters/storage/errors.js'
import { localStorage } from '../../../src/adapters/storage/local-storage.js'
import { s3Settings, s3Storage } from '../../../src/adapters/storage/s3-storage.js'
import type { Storage } from '../../../src/adapters/storage/storage.js'
import { startTestS3, type TestS3 } from '../../support/s3.js'

/*
 * One contract, two kinds of storage: a local folder and a prefix in S3-compatible storage
 * (s3rver in this process). Every case works in a folder of its own, next to a "sibling" folder
 * whose name starts with the same characters, so listing cannot pass by listing too much.
 */

interface Backend {
  name: string
  setup(): Promise<void>
  teardown(): Promise<void>
  /** A new, empty folder, and one named like it with `-sibling` appended. */
  fresh(): Promise<{ storage: Storage; sibling: Storage }>
}

function localBackend(): Backend {
  let root = ''
  let count = 0
  return {
    name: 'local folder',
    async setup() {
      root = await mkdtemp(path.join(os.tmpdir(), 'rollout-storage-'))
    },
    teardown: () => rm(root, { recursive: true, force: true }),
    async fresh() {
      const dir = path.join(root, `case${++count}`)
      const storage = localStorage(dir)
      await storage.ensure()
      return { storage, sibling: localStorage(`${dir}-sibling`) }
    },
  }
}

function s3Backend(server: () => TestS3): Backend {
  let count = 0
  return {
    name: 'S3 (s3rver)',
    setup: async () => {},
    teardown: async () => {},
    async fresh() {
      const location = `s3://${server().bucket}/some/prefix/case${++count}`
      const storage = s3Storage(location, server().env)
      await storage.ensure()
      return { storage, sibling: s3Storage(`${location}-sibling`, server().env) }
    },
  }
}

async function readAll(stream: Readable): Promise<string> {
  return (await readAllBytes(stream)).toString('utf8')
}

async function expectStorageError(promise: Promise<unknown>, reason: StorageError['reason']): Promise<StorageError> {
  const error = await promise.then(
    () => assert.fail(`expected a StorageError ${reason}, but it succeeded`),
    (e: unknown) => e,
  )
  assert.ok(error instanceof StorageError, `expected a StorageError, got ${String(error)}`)
  assert.equal(error.reason, reason, error.message)
  return error
}

async function readAllBytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks)
}

/** A port nothing listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}

/** An HTTP server answering ListObjectsV2 with the given pages of keys, one page per request, chained by token. */
async function startPagedListing(pages: string[][]): Promise<{ endpoint: string; requests: URLSearchParams[]; stop(): Promise<void> }> {
  const requests: URLSearchParams[] = []
  const server = createHttpServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams
    requests.push(query)
    const index = Number(query.get('continuation-token')?.replace('page-', '') ?? 0)
    const next = index + 1 < pages.length ? `<NextContinuationToken>page-${index + 1}</NextContinuationToken>` : ''
    const contents = (pages[index] ?? []).map((key) => `<Contents><Key>${key}</Key><Size>1</Size></Contents>`).join('')
    response.writeHead(200, { 'content-type': 'application/xml' })
    response.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Name>paged</Name><IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${next}${contents}</ListBucketResult>`,
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

interface UploadReport {
  sha256: string
  uploadMs: number
  baselineRss: number
  peakRss: number
  visibleBeforeCommit: unknown
}

/*
 * The upload runs in a process of its own, as rollout does: the server's memory is not counted,
 * and a collection before each sample makes rss what is held, not garbage V8 has yet to collect
 * (it lets up to 64 MiB of freed buffers wait).
 */
const UPLOAD_CHILD = `
import { createHash, randomFillSync } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
const [moduleUrl, location, name, sizeText] = process.argv.slice(1)
const { s3Storage } = await import(moduleUrl)
const storage = s3Storage(location, process.env)
// The SDK's code is loaded, and a connection open, before measuring.
await storage.writeText('warm-up', 'x')
await storage.remove('warm-up')
const size = Number(sizeText)
const sent = createHash('sha256')
// Pseudo-random bytes: nothing along the way can shrink them.
async function* bytes() {
  for (let left = size; left > 0; left -= 1 << 20) {
    const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(left, 1 << 20)))
    sent.update(chunk)
    yield chunk
  }
}
const heldRss = () => (globalThis.gc(), process.memoryUsage().rss)
const baselineRss = heldRss()
let peakRss = baselineRss
const sampler = setInterval(() => { peakRss = Math.max(peakRss, heldRss()) }, 25)
const started = Date.now()
const writer = await storage.openWrite(name)
await pipeline(Readable.from(bytes()), writer.stream)
const visibleBeforeCommit = await storage.stat(name)
await writer.commit()
clearInterval(sampler)
process.stdout.write(JSON.stringify({ sha256: sent.digest('hex'), uploadMs: Date.now() - started, baselineRss, peakRss, visibleBeforeCommit }))
`

async function uploadInChild(location: string, name: string, size: number, env: NodeJS.ProcessEnv): Promise<UploadReport> {
  const moduleUrl = new URL('../../../src/adapters/storage/s3-storage.ts', import.meta.url).href
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', UPLOAD_CHILD, moduleUrl, location, name, String(size)],
    { env: { ...process.env, ...env }, maxBuffer: 1 << 20 },
  )
  return JSON.parse(stdout) as UploadReport
}

function contract(backend: Backend): void {
  describe(`storage contract: ${backend.name}`, () => {
    before(() => backend.setup())
    after(() => backend.teardown())

    it('describes itself by its location', async () => {
      const { storage } = await backend.fresh()
      assert.ok(storage.describe().startsWith(storage.location), storage.describe())
      assert.deepEqual(await storage.list(), [])
    })

    it('stat: null for a missing file, size and time for a present one', async () => {
      const { storage } = await backend.fresh()
      assert.equal(await storage.stat('a.txt'), null)
      // S3 keeps times to the second.
      const before = Date.now() - 2000
      await storage.writeText('a.txt', 'hello')
      const info = await storage.stat('a.txt')
      assert.ok(info)
      assert.equal(info.size, 5)
      assert.ok(info.modifiedMs >= before && info.modifiedMs <= Date.now() + 2000, `modifiedMs ${info.modifiedMs}`)
    })

    it('list: direct names only, or every name below with "/" when recursive; sorted; nothing of a sibling', async () => {
      const { storage, sibling } = await backend.fresh()
      for (const name of ['b.txt', 'sub/deeper/d.txt', 'a.txt', 'sub/c.txt']) await storage.writeText(name, name)
      await sibling.writeText('other.txt', 'not mine')
      assert.deepEqual(await storage.list(), ['a.txt', 'b.txt'])
      assert.deepEqual(await storage.list({ recursive: true }), ['a.txt', 'b.txt', 'sub/c.txt', 'sub/deeper/d.txt'])
      assert.deepEqual(await sibling.list(), ['other.txt'])
    })

    it('readText: null for a missing file', async () => {
      const { storage } = await backend.fresh()
      assert.equal(await storage.readText('missing.json'), null)
      assert.equal(await storage.readText('sub/missing.json'), null)
    })

    it('writeText then readText gives the text back, from a string or bytes', async () => {
      const { storage } = await backend.fresh()
      await storage.writeText('note.txt', 'héllo ✓\nsecond line')
      await storage.writeText('sub/bytes.bin', new TextEncoder().encode('from bytes'))
      assert.equal(await storage.readText('note.txt'), 'héllo ✓\nsecond line')
      assert.equal(await storage.readText('sub/bytes.bin'), 'from bytes')
    })

    it('writeText replaces a file as a whole', async () => {
      const { storage } = await backend.fresh()
      await storage.writeText('state.json', '{"version":1,"long":"xxxxxxxxxxxxxxxx"}')
      await storage.writeText('state.json', '{"version":2}')
      assert.equal(await storage.readText('state.json'), '{"version":2}')
      assert.equal((await storage.stat('state.json'))?.size, 13)
      assert.deepEqual(await storage.list(), ['state.json'])
    })

    it('openRead streams the whole file, or the bytes start..end inclusive', async () => {
      const { storage } = await backend.fresh()
      await storage.writeText('letters.txt', 'abcdefghij')
      assert.equal(await readAll(await storage.openRead('letters.txt')), 'abcdefghij')
      assert.equal(await readAll(await storage.openRead('letters.txt', { start: 2, end: 5 })), 'cdef')
      assert.equal(await readAll(await storage.openRead('letters.txt', { start: 7, end: 9 })), 'hij')
    })

    it('openRead of a missing file: StorageError NOT_FOUND naming it', async () => {
      const { storage } = await backend.fresh()
      const error = await expectStorageError(storage.openRead('nowhere.bin'), 'NOT_FOUND')
      assert.match(error.message, /nowhere\.bin/)
    })

    it('openWrite: nothing is visible until commit, then the whole content', async () => {
      const { storage } = await backend.fresh()
      const writer = await storage.openWrite('dump.sql')
      await pipeline(Readable.from(['CREATE TABLE t;\n', 'INSERT INTO t VALUES (1);\n']), writer.stream)
      assert.equal(await storage.stat('dump.sql'), null)
      assert.equal(await storage.readText('dump.sql'), null)
      // A local folder lists the file being written under its own name (`.partial`), so stale ones can be swept.
      assert.ok(!(await storage.list()).includes('dump.sql'))
      await writer.commit()
      assert.equal(await storage.readText('dump.sql'), 'CREATE TABLE t;\nINSERT INTO t VALUES (1);\n')
      assert.equal((await storage.stat('dump.sql'))?.size, 42)
      assert.deepEqual(await storage.list(), ['dump.sql'])
    })

    it('openWrite into a subfolder', async () => {
      const { storage } = await backend.fresh()
      const writer = await storage.openWrite('run-1/trace.zip')
      await pipeline(Readable.from([Buffer.from([0, 1, 2, 255])]), writer.stream)
      await writer.commit()
      assert.deepEqual(await storage.list({ recursive: true }), ['run-1/trace.zip'])
      assert.deepEqual([...(await readAllBytes(await storage.openRead('run-1/trace.zip')))], [0, 1, 2, 255])
    })

    it('abort, while writing or after the stream ended, leaves nothing', async () => {
      const { storage } = await backend.fresh()
      const midway = await storage.openWrite('midway.bin')
      midway.stream.write('half of it')
      await midway.abort()
      const ended = await storage.openWrite('ended.bin')
      await pipeline(Readable.from(['all of it']), ended.stream)
      await ended.abort()
      assert.equal(await storage.stat('midway.bin'), null)
      assert.equal(await storage.stat('ended.bin'), null)
      assert.deepEqual(await storage.list({ recursive: true }), [])
    })

    it('abort of a replacement keeps the previous content', async () => {
      const { storage } = await backend.fresh()
      await storage.writeText('backup.sql', 'the old one')
      const writer = await storage.openWrite('backup.sql')
      await pipeline(Readable.from(['the new one, unfinished']), writer.stream)
      await writer.abort()
      assert.equal(await storage.readText('backup.sql'), 'the old one')
    })

    it('remove: the file is gone; removing it again, or one never written, is no error', async () => {
      const { storage } = await backend.fresh()
      await storage.writeText('keep.txt', 'k')
      await storage.writeText('gone.txt', 'g')
      await storage.remove('gone.txt')
      assert.equal(await storage.stat('gone.txt'), null)
      await storage.remove('gone.txt')
      await storage.remove('never-written.txt')
      assert.deepEqual(await storage.list(), ['keep.txt'])
    })
  })
}

let server: TestS3 | undefined
const testS3 = () => server ?? assert.fail('the S3 server is not running')
before(async () => {
  server = await startTestS3()
})
after(() => server?.stop())

contract(localBackend())
contract(s3Backend(testS3))

describe('local storage only', () => {
  let root = ''
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'rollout-storage-'))
  })
  after(() => rm(root, { recursive: true, force: true }))

  it('the folder is owner-only and written files are 0600', async () => {
    const dir = path.join(root, 'private')
    const storage = localStorage(dir)
    await storage.ensure()
    await storage.writeText('a.txt', 'a')
    const writer = await storage.openWrite('sub/b.bin')
    await pipeline(Readable.from(['b']), writer.stream)
    await writer.commit()
    assert.equal((await stat(dir)).mode & 0o777, 0o700)
    assert.equal((await stat(path.join(dir, 'a.txt'))).mode & 0o777, 0o600)
    assert.equal((await stat(path.join(dir, 'sub/b.bin'))).mode & 0o777, 0o600)
  })
})

describe('S3 storage only', () => {
  it('describe names the bucket, prefix and endpoint, never a credential', () => {
    const storage = s3Storage('s3://rollout-test/some/prefix/', testS3().env)
    assert.equal(storage.describe(), `s3://rollout-test/some/prefix at ${testS3().endpoint}`)
    const withUser = s3Storage('s3://b/p', { AWS_ENDPOINT_URL_S3: 'https://user:hunter2@minio.example:9000', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrEXAMPLEKEY' })
    assert.equal(withUser.describe(), 's3://b/p at https://minio.example:9000')
    assert.equal(s3Storage('s3://b', {}).describe(), 's3://b')
  })

  it('ensure of a missing bucket: NOT_FOUND naming the bucket, which is not created', async () => {
    const storage = s3Storage('s3://no-such-bucket/backups', testS3().env)
    const error = await expectStorageError(storage.ensure(), 'NOT_FOUND')
    assert.match(error.message, /bucket "no-such-bucket" does not exist/)
    assert.match(error.message, /s3:\/\/no-such-bucket\/backups/)
    await expectStorageError(storage.ensure(), 'NOT_FOUND')
    // Reading from it is no "missing file" either: the bucket is named.
    const read = await expectStorageError(storage.readText('a.json'), 'NOT_FOUND')
    assert.match(read.message, /bucket "no-such-bucket"/)
  })

  it('an endpoint that does not answer: UNREACHABLE naming the location and endpoint, and no secret', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    const env = { ...testS3().env, AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: 'AKIDUNREACHABLE1', AWS_SECRET_ACCESS_KEY: 'secret-value-never-printed' }
    const storage = s3Storage('s3://rollout-test/backups', env)
    for (const attempt of [() => storage.ensure(), () => storage.readText('state.json'), () => storage.writeText('state.json', '{}')]) {
      const error = await expectStorageError(attempt(), 'UNREACHABLE')
      assert.match(error.message, /s3:\/\/rollout-test\/backups/)
      assert.ok(error.message.includes(endpoint), error.message)
      for (const text of [error.message, error.hint ?? '']) {
        assert.ok(!text.includes('AKIDUNREACHABLE1') && !text.includes('secret-value-never-printed'), text)
      }
    }
  })

  it('an unknown access key: ACCESS with a hint naming the variables, not their values', async () => {
    // s3rver checks the key id (not the signature): an unknown one is refused.
    const env = { ...testS3().env, AWS_ACCESS_KEY_ID: 'AKIDNOTKNOWNHERE', AWS_SECRET_ACCESS_KEY: 'another-secret-never-printed' }
    const error = await expectStorageError(s3Storage('s3://rollout-test/backups', env).readText('state.json'), 'ACCESS')
    assert.match(error.message, /s3:\/\/rollout-test\/backups\/state\.json/)
    assert.match(error.hint ?? '', /AWS_ACCESS_KEY_ID/)
    for (const text of [error.message, error.hint ?? '']) {
      assert.ok(!text.includes('AKIDNOTKNOWNHERE') && !text.includes('another-secret-never-printed'), text)
    }
  })

  it('settings: the S3 endpoint before the general one, region fallbacks, path style, credentials only when both are set', () => {
    assert.deepEqual(
      s3Settings({
        AWS_ENDPOINT_URL: 'http://general:1',
        AWS_ENDPOINT_URL_S3: 'http://s3-only:2',
        AWS_DEFAULT_REGION: 'eu-west-3',
        AWS_S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: 'AKID',
        AWS_SECRET_ACCESS_KEY: 'SECRET',
        AWS_SESSION_TOKEN: 'TOKEN',
      }),
      {
        endpoint: 'http://s3-only:2',
        region: 'eu-west-3',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'TOKEN' },
      },
    )
    assert.deepEqual(s3Settings({ AWS_ENDPOINT_URL: 'http://general:1', AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-west-3', AWS_S3_FORCE_PATH_STYLE: '0', AWS_ACCESS_KEY_ID: 'AKID' }), {
      endpoint: 'http://general:1',
      region: 'ap-south-1',
      forcePathStyle: false,
      credentials: undefined,
    })
    assert.deepEqual(s3Settings({}), { endpoint: undefined, region: 'us-east-1', forcePathStyle: false, credentials: undefined })
  })

  it('a failing upload fails the writer: the pipeline when it is under way, else commit', { timeout: 20_000 }, async () => {
    const storage = s3Storage('s3://no-such-bucket/backups', testS3().env)
    // More than two parts: the upload has started, and stopped reading, before the last bytes are written.
    const big = await storage.openWrite('big.bin')
    const chunks = Array.from({ length: 24 }, () => Buffer.alloc(1024 * 1024, 7))
    const failed = await expectStorageError(pipeline(Readable.from(chunks), big.stream), 'NOT_FOUND')
    assert.match(failed.message, /bucket "no-such-bucket"/)
    await big.abort()
    // A small one is sent whole in commit().
    const small = await storage.openWrite('small.bin')
    await pipeline(Readable.from(['tiny']), small.stream)
    await expectStorageError(small.commit(), 'NOT_FOUND')
    await small.abort()
  })

  it('credentials come from the env given, not from this process', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY }
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMPROCESS'
    process.env.AWS_SECRET_ACCESS_KEY = 'process-secret'
    try {
      const storage = s3Storage('s3://rollout-test/env-check', testS3().env)
      await storage.writeText('ok.txt', 'fine')
      assert.equal(await storage.readText('ok.txt'), 'fine')
    } finally {
      restore('AWS_ACCESS_KEY_ID', saved.id)
      restore('AWS_SECRET_ACCESS_KEY', saved.secret)
    }
  })

  it('list follows continuation tokens until the last page', async () => {
    // s3rver cannot page (its tokens use DES, which Node's OpenSSL 3 refuses): a server that only lists, in two pages.
    const pages = await startPagedListing([
      ['some/prefix/b.txt', 'some/prefix/d.txt'],
      ['some/prefix/a.txt', 'some/prefix/c.txt'],
    ])
    try {
      const storage = s3Storage('s3://paged/some/prefix', { ...testS3().env, AWS_ENDPOINT_URL_S3: pages.endpoint })
      assert.deepEqual(await storage.list(), ['a.txt', 'b.txt', 'c.txt', 'd.txt'])
      assert.deepEqual(
        pages.requests.map((q) => [q.get('prefix'), q.get('delimiter'), q.get('continuation-token')]),
        [
          ['some/prefix/', '/', null],
          ['some/prefix/', '/', 'page-1'],
        ],
      )
    } finally {
      await pages.stop()
    }
  })

  it('a 110 MiB upload goes in parts with bounded memory, and reads back whole', { timeout: 180_000 }, async (t) => {
    const size = 110 * 1024 * 1024
    const report = await uploadInChild('s3://rollout-test/big', 'backup.sql.zst', size, testS3().env)
    const growthMiB = (report.peakRss - report.baselineRss) / 1024 / 1024
    t.diagnostic(`upload of ${size / 1024 / 1024} MiB: ${report.uploadMs} ms; rss ${(report.baselineRss / 1024 / 1024).toFixed(0)} MiB before, peak growth ${growthMiB.toFixed(1)} MiB`)
    assert.equal(report.visibleBeforeCommit, null)
    // About three 8 MiB parts are held (two in flight, one filling) plus what the allocator keeps: holding the file would be 110 MiB and more.
    assert.ok(growthMiB < 96, `rss grew by ${growthMiB.toFixed(1)} MiB during the upload`)

    const storage = s3Storage('s3://rollout-test/big', testS3().env)
    assert.equal((await storage.stat('backup.sql.zst'))?.size, size)
    const received = createHash('sha256')
    let receivedBytes = 0
    for await (const chunk of await storage.openRead('backup.sql.zst')) {
      received.update(chunk as Buffer)
      receivedBytes += (chunk as Buffer).length
    }
    assert.equal(receivedBytes, size)
    assert.equal(received.digest('hex'), report.sha256)
    await storage.remove('backup.sql.zst')
    assert.deepEqual(await storage.list({ recursive: true }), [])
  })
})
