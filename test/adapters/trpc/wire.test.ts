import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import superjson from 'superjson'
import { deserialize, serialize } from '../../../src/adapters/trpc/superjson.js'
import { callTrpc } from '../../../src/adapters/trpc/client.js'
import { CookieJar } from '../../../src/adapters/trpc/cookies.js'
import { TrpcWireError, buildRequest } from '../../../src/adapters/trpc/wire.js'
import { startTrpcApp, type TrpcApp } from '../../fixtures/smoke/trpc-app.js'

const sample = {
  at: new Date('2026-11-25T10:00:00.000Z'),
  big: 12345678901234567890n,
  gone: undefined,
  list: [1, undefined, Number.NaN, -Infinity, -0, new Date(0)],
  tags: new Set(['a', 'b']),
  byId: new Map<unknown, unknown>([[1, { when: new Date(5) }], ['k', 'v']]),
  re: /ab+c/gi,
  'dotted.key': new Date(7),
  nested: { deeper: { at: new Date(9), plain: 'x' } },
  link: new URL('https://staging.terp-app.local/a?b=1'),
}

test('superjson: values survive the wire (serialized, sent as JSON text, read back); a class only the app registered comes back as its JSON form', () => {
  const overTheWire = (value: unknown) => deserialize(JSON.parse(JSON.stringify(serialize(value))))
  assert.deepEqual(overTheWire(sample), sample)
  for (const value of [new Date(3), 5, 'text', null, undefined, [new Set([1])], -0, 2n ** 70n]) assert.deepEqual(overTheWire(value), value)
  // What an app's own superjson writes for a class it registered: this side does not know the class.
  const custom = { json: { id: 'o-1', total: '12.50' }, meta: { values: [['class', 'Money']], v: 1 } }
  assert.throws(() => superjson.deserialize(custom as never), 'the package alone refuses it')
  assert.deepEqual(deserialize(custom as never), { id: 'o-1', total: '12.50' })
})

test('wire: a batch holds one procedure type', () => {
  assert.throws(() => buildRequest('http://x/trpc', [{ path: 'a', type: 'query' }, { path: 'b', type: 'mutation' }], 'none'), /one type only/)
  const req = buildRequest('http://x/trpc/', [{ path: 'a.b', type: 'query', input: { n: 1 } }, { path: 'c', type: 'query' }], 'none')
  assert.equal(req.method, 'GET')
  const url = new URL(req.url)
  assert.equal(url.pathname, '/trpc/a.b,c')
  assert.equal(url.searchParams.get('batch'), '1')
  assert.deepEqual(JSON.parse(url.searchParams.get('input')!), { 0: { n: 1 } })
})

for (const transformer of ['superjson', 'none'] as const) {
  let app: TrpcApp
  const client = (jar?: CookieJar) => ({ endpoint: `${app.url}/trpc`, transformer, timeoutMs: 5000, signal: AbortSignal.timeout(10_000), jar })

  test(`real tRPC server (${transformer})`, async (t) => {
    app = await startTrpcApp({ transformer })
    t.after(() => app.close())

    await t.test('a query answers its data; dates survive with superjson', async () => {
      const ex = await callTrpc(client(), [{ path: 'health', type: 'query' }])
      assert.equal(ex.status, 200)
      assert.equal(ex.results.length, 1)
      const r = ex.results[0]!
      assert.ok(r.ok)
      const data = r.data as { status: string; checkedAt: unknown }
      assert.equal(data.status, 'ok')
      if (transformer === 'superjson') assert.ok(data.checkedAt instanceof Date)
      else assert.equal(data.checkedAt, '2026-11-25T10:00:00.000Z')
    })

    if (transformer === 'superjson') {
      await t.test('input encoded with superjson reaches the procedure as the same values', async () => {
        const ex = await callTrpc(client(), [{ path: 'echo', type: 'query', input: sample }])
        const r = ex.results[0]!
        assert.ok(r.ok)
        assert.deepEqual(r.data, sample)
      })
    }

    await t.test('a batch answers each call in order, errors in place', async () => {
      const ex = await callTrpc(client(), [
        { path: 'health', type: 'query' },
        { path: 'orders.list', type: 'query' },
        { path: 'echo', type: 'query', input: { n: 2 } },
      ])
      assert.equal(app.requests.at(-1)!.url.includes('batch=1'), true)
      assert.deepEqual(ex.results.map((r) => r.ok), [true, false, true])
      const denied = ex.results[1]!
      assert.ok(!denied.ok)
      assert.equal(denied.error.code, 'UNAUTHORIZED')
      assert.equal(denied.error.httpStatus, 401)
      assert.equal(denied.error.path, 'orders.list')
      assert.deepEqual((ex.results[2] as { data: unknown }).data, { n: 2 })
    })

    await t.test('a login sets a cookie the next calls send', async () => {
      const jar = new CookieJar()
      const login = await callTrpc(client(jar), [{ path: 'auth.login', type: 'mutation', input: { email: 'demo@terp.example', password: 's3cret-pass' } }])
      assert.ok(login.results[0]!.ok)
      assert.deepEqual(jar.names(), ['sid'])
      const list = await callTrpc(client(jar), [{ path: 'orders.list', type: 'query' }])
      assert.ok(list.results[0]!.ok, JSON.stringify(list.results[0]))
      assert.equal(app.requests.at(-1)!.cookie, true)
    })

    await t.test('a failing mutation names the tRPC code and message', async () => {
      const jar = new CookieJar()
      await callTrpc(client(jar), [{ path: 'auth.login', type: 'mutation', input: { email: 'a', password: 's3cret-pass' } }])
      const ex = await callTrpc(client(jar), [{ path: 'orders.create', type: 'mutation', input: { clientId: 999, items: [{ sku: 'A-1', qty: 1 }], ...(transformer === 'superjson' ? { dueAt: new Date(0) } : {}) } }])
      assert.equal(ex.status, 500)
      const r = ex.results[0]!
      assert.ok(!r.ok)
      assert.equal(r.error.code, 'INTERNAL_SERVER_ERROR')
      assert.match(r.error.message, /Deadlock found/)
      assert.equal(app.requests.at(-1)!.method, 'POST')
    })

    await t.test('an answer that is not tRPC says what came back', async () => {
      await assert.rejects(
        callTrpc({ ...client(), endpoint: `${app.url}/broken/trpc` }, [{ path: 'health', type: 'query' }]),
        (e: unknown) => e instanceof TrpcWireError && /HTTP 502 \(text\/html\): <html><body><h1>502 Bad Gateway/.test(e.message),
      )
    })
  })
}

test('cookie jar: an Expires date with a comma does not split a cookie; Max-Age=0 deletes', () => {
  const jar = new CookieJar()
  jar.absorb('a=1; Path=/; Expires=Wed, 21 Oct 2099 07:28:00 GMT, b=2; Path=/api')
  assert.equal(jar.header('/'), 'a=1')
  assert.equal(jar.header('/api/x'), 'a=1; b=2')
  jar.absorb('a=; Max-Age=0')
  assert.equal(jar.header('/api'), 'b=2')
})
