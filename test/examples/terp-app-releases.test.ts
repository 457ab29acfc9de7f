import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import { buildRelease, MIGRATIONS_DIR, releaseIds } from '../../examples/terp-app/build.js'
import { migrationFileProblems, readMigrations } from '../../examples/terp-app/src/db/migrations.js'
import { readSession, signSession } from '../../examples/terp-app/src/http/session.js'
import { hostName } from '../../examples/terp-app/src/http/host-guard.js'
import { generate, SMALL_VOLUME } from '../../examples/terp-app/src/seed-data.js'
import { tempDir } from '../support/cli.js'

/** Each release built into a folder of its own, in release order. */
function builtReleases(): { id: string; migrations: string }[] {
  const out = tempDir('terp-releases-')
  return releaseIds().map((id) => ({ id, migrations: path.join(buildRelease(id, path.join(out, id)).dir, 'migrations') }))
}

test('the three releases the demo deploys; the migrations folder and each release\'s share of it are consistent', () => {
  assert.deepEqual(releaseIds(), ['v1', 'v2', 'v3-broken'])
  assert.deepEqual(migrationFileProblems(MIGRATIONS_DIR), [])
  for (const r of builtReleases()) assert.deepEqual(migrationFileProblems(r.migrations), [], r.id)
})

test('each release carries the previous one\'s migrations unchanged, plus its own (an applied migration is never edited)', () => {
  const built = builtReleases()
  for (let i = 1; i < built.length; i++) {
    const before = readMigrations(built[i - 1]!.migrations)
    const after = readMigrations(built[i]!.migrations)
    assert.deepEqual(after.slice(0, before.length), before, `${built[i]!.id} starts with ${built[i - 1]!.id}'s migrations, same files`)
    assert.equal(after.length, before.length + 1, `${built[i]!.id} adds one migration`)
  }
  assert.deepEqual(readMigrations(built.at(-1)!.migrations), readMigrations(MIGRATIONS_DIR), 'the newest release has every migration')
})

test('a migrations folder with a stray file, a missing file or out-of-order entries is reported', () => {
  const dir = path.join(tempDir('terp-mig-'), 'migrations')
  mkdirSync(path.join(dir, 'meta'), { recursive: true })
  const entries = [
    { idx: 0, when: 200, tag: '0000_a', breakpoints: true },
    { idx: 1, when: 100, tag: '0001_b', breakpoints: true },
  ]
  writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ entries }))
  writeFileSync(path.join(dir, '0000_a.sql'), 'CREATE TABLE a (id int);\n--> statement-breakpoint\n')
  writeFileSync(path.join(dir, '0001_b.sql'), 'CREATE TABLE b (id int);')
  writeFileSync(path.join(dir, '0002_stray.sql'), 'CREATE TABLE c (id int);')
  assert.deepEqual(migrationFileProblems(dir), [
    '0000_a.sql: statement 2 is empty (a breakpoint with nothing after it)',
    '0001_b: its "when" (100) is not after 0000_a\'s (200), so the migrator would skip it',
    '0002_stray.sql is not in meta/_journal.json, so it would never run',
  ])
  writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ entries: [...entries, { idx: 2, when: 300, tag: '0003_gone' }] }))
  assert.match(migrationFileProblems(dir)[0]!, /entries\[2\] names 0003_gone, but .*0003_gone\.sql does not exist/)
})

test('buildRelease: a self-contained folder; an unknown release or a foreign non-empty folder is refused', () => {
  const out = path.join(tempDir('terp-build-'), 'v2')
  const built = buildRelease('v2', out)
  assert.deepEqual(built.migrations, ['0000_initial', '0001_order_priority_notes'])
  for (const f of ['src/server.ts', 'src/migrate.ts', 'src/seed.ts', 'package.json', 'release.json', 'migrations/meta/_journal.json', 'migrations/0001_order_priority_notes.sql']) assert.ok(existsSync(path.join(out, f)), f)
  assert.equal(JSON.parse(readFileSync(path.join(out, 'release.json'), 'utf8')).features.orderNotes, true)
  assert.ok(existsSync(path.join(out, 'node_modules', 'express')), 'outside the project, packages are reached through a link')
  buildRelease('v1', out)
  assert.equal(JSON.parse(readFileSync(path.join(out, 'release.json'), 'utf8')).id, 'v1', 'an earlier build is replaced')
  assert.equal(existsSync(path.join(out, 'migrations', '0001_order_priority_notes.sql')), false)

  assert.throws(() => buildRelease('v9', path.join(tempDir(), 'x')), /no release "v9": expected one of v1, v2, v3-broken/)
  const foreign = tempDir('terp-foreign-')
  writeFileSync(path.join(foreign, 'notes.txt'), 'mine')
  assert.throws(() => buildRelease('v1', foreign), /is not empty and holds no earlier build/)
  assert.equal(readFileSync(path.join(foreign, 'notes.txt'), 'utf8'), 'mine')
})

test('seed data: the same options give the same rows; the demo accounts and the VIP client\'s open orders are there', () => {
  const now = new Date('2026-11-01T00:00:00Z')
  const a = generate(SMALL_VOLUME, { now, seed: 7 })
  assert.deepEqual(generate(SMALL_VOLUME, { now, seed: 7 }), a)
  assert.notDeepEqual(generate(SMALL_VOLUME, { now, seed: 8 }).orders, a.orders)
  assert.equal(a.orders.length, SMALL_VOLUME.orders)
  assert.equal(a.users[0]!.email, 'demo@terp.example')
  const vip = a.clients.find((c) => c.email === 'vip@terp.example')!
  assert.equal(vip.portal, true)
  assert.deepEqual(a.orders.slice(-3).map((o) => [o.clientId, o.status]), [[vip.id, 'open'], [vip.id, 'open'], [vip.id, 'open']])
  assert.ok(a.orders.every((o) => o.placedAt < now))
  assert.ok(a.events.some((e) => e.startsAt > now) && a.events.some((e) => e.startsAt < now))
  const lines = new Map<number, number>()
  for (const l of a.orderLines) lines.set(l.orderId, (lines.get(l.orderId) ?? 0) + l.qty * l.unitPriceCents)
  assert.ok(a.orders.every((o) => lines.get(o.id) === o.totalCents), 'order totals are the sum of their lines')
})

test('sessions: a signed cookie is read back; a changed, expired or other-kind one is not', () => {
  const now = Date.now()
  const value = signSession('k', { kind: 'staff', id: 3, name: 'Sam' }, now)
  assert.equal(readSession('k', value, 'staff', now)?.id, 3)
  assert.equal(readSession('other-key', value, 'staff', now), null)
  assert.equal(readSession('k', value, 'portal', now), null)
  assert.equal(readSession('k', value, 'staff', now + 9 * 3600_000), null)
  const [payload, mac] = value.split('.')
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), id: 1 })).toString('base64url')
  assert.equal(readSession('k', `${forged}.${mac}`, 'staff', now), null)
})

test('host names from Host headers: port dropped, case folded, IPv6 kept whole', () => {
  assert.equal(hostName('Staging.TERP-app.local:8443'), 'staging.terp-app.local')
  assert.equal(hostName('127.0.0.1:80'), '127.0.0.1')
  assert.equal(hostName('[::1]:443'), '[::1]')
  assert.equal(hostName(undefined), '')
})
