import { test } from 'node:test'
import assert from 'node:assert/strict'
import { progressLine, progressReporter, remainingMs } from '../../../src/cli/render/progress.js'

const replay = { stage: 'restore' as const, tablesDone: 1, tablesTotal: 4, bytesDone: 25 * 1024 * 1024, bytesTotal: 100 * 1024 * 1024, table: 'orders' }

test('a progress line says tables and bytes done and the time left at the rate so far', () => {
  assert.equal(progressLine(replay, 10_000), 'replaying · 1/4 tables · 25.0 MB of 100.0 MB · ETA 30.0s · orders')
  // Without a byte total the tables give the rate.
  assert.equal(remainingMs({ stage: 'proof', tablesDone: 3, tablesTotal: 4, bytesDone: 0, bytesTotal: null }, 6000), 2000)
  // Too early, or nothing done yet: no guess.
  assert.equal(remainingMs(replay, 500), null)
  assert.equal(progressLine({ ...replay, bytesDone: 0, tablesDone: 0, table: undefined }, 5000), 'replaying · 0/4 tables · 0.0 kB of 100.0 MB')
  // The dump's total is an estimate: marked so, and a dump that outgrows it shows no ETA.
  assert.equal(progressLine({ stage: 'dump', tablesDone: 2, tablesTotal: 4, bytesDone: 3 * 1024 * 1024, bytesTotal: 2 * 1024 * 1024 }, 5000), 'dumping · 2/4 tables · 3.0 MB of ~2.0 MB')
})

function fakeStream(isTTY: boolean) {
  const writes: string[] = []
  return { writes, stream: { isTTY, columns: 40, write: (s: string) => void writes.push(s) } as unknown as NodeJS.WriteStream }
}

test('not on a terminal: a line when a stage starts and when its tables are done, otherwise at most every 5 s', () => {
  let now = 0
  const { writes, stream } = fakeStream(false)
  const r = progressReporter(stream, 'plain', () => now)
  r.listener({ ...replay, tablesDone: 0 })
  for (now = 100; now < 4000; now += 100) r.listener({ ...replay, tablesDone: 1 })
  now = 6000
  r.listener({ ...replay, tablesDone: 2 })
  r.listener({ ...replay, tablesDone: 4, bytesDone: replay.bytesTotal })
  r.listener({ stage: 'proof', tablesDone: 0, tablesTotal: 4, bytesDone: 0, bytesTotal: null })
  r.done()
  assert.deepEqual(writes.map((w) => w.trimEnd().split(' · ').slice(0, 2).join(' · ')), [
    '  replaying · 0/4 tables',
    '  replaying · 2/4 tables',
    '  replaying · 4/4 tables',
    '  proving · 0/4 tables',
  ])
  assert.ok(writes.every((w) => w.endsWith('\n')))
})

test('on a terminal: one line rewritten in place, cut to the width, and cleared when done', () => {
  let now = 0
  const { writes, stream } = fakeStream(true)
  const r = progressReporter(stream, 'tty', () => now)
  r.listener(replay)
  now = 50
  r.listener({ ...replay, bytesDone: replay.bytesDone + 1 })
  now = 200
  r.listener({ ...replay, bytesDone: replay.bytesDone + 2 })
  r.done()
  assert.equal(writes.length, 3, 'updates closer than 100 ms are dropped')
  for (const w of writes.slice(0, 2)) {
    assert.ok(w.startsWith('\r\x1b[2K') && !w.includes('\n'))
    assert.ok(w.length - 5 <= 39)
  }
  assert.equal(writes[2], '\r\x1b[2K')
})
