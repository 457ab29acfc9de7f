import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { redactZip } from '../../../src/adapters/browser/zip-redact.js'
import { readZip, writeZip } from '../../support/zip.js'

const SECRET = 'hunter2-session-9f3a'
const redact = (text: string) => text.split(SECRET).join('[redacted]')

// A trace-shaped archive from an independent writer: text events, a network log, a picture whose
// bytes happen to hold the secret, a nested path and a UTF-8 name; deflated and stored entries.
const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(SECRET, 'latin1'), Buffer.from([0, 1, 2, 255])])
const input = [
  { name: 'trace.trace', data: Buffer.from(`{"type":"action","method":"fill","value":"${SECRET}"}\n{"type":"after"}\n`) },
  { name: 'trace.network', data: Buffer.from(`{"request":{"headers":[{"name":"Cookie","value":"sid=${SECRET}"}]}}\n`), stored: true },
  { name: 'resources/page@1.png', data: png },
  { name: 'resources/notes/über.txt', data: Buffer.from(`typed ${SECRET} twice: ${SECRET}`) },
]

test('every text entry is redacted, pictures are byte for byte, names and order kept: read back by another zip reader', () => {
  const out = redactZip(writeZip(input), redact)
  const entries = readZip(out)
  assert.deepEqual(entries.map((e) => e.name), input.map((e) => e.name))
  const byName = new Map(entries.map((e) => [e.name, e.data]))
  assert.equal(byName.get('trace.trace')!.toString(), '{"type":"action","method":"fill","value":"[redacted]"}\n{"type":"after"}\n')
  assert.equal(byName.get('trace.network')!.toString(), '{"request":{"headers":[{"name":"Cookie","value":"sid=[redacted]"}]}}\n')
  assert.equal(byName.get('resources/notes/über.txt')!.toString(), 'typed [redacted] twice: [redacted]')
  assert.ok(byName.get('resources/page@1.png')!.equals(png), 'the picture changed')
  for (const [name, data] of byName) if (!name.endsWith('.png')) assert.equal(data.includes(SECRET), false, `${name} still holds the secret`)
})

test('the rewritten archive passes unzip\'s own integrity test', (t) => {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' })
  } catch {
    t.skip('unzip is not installed')
    return
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-zip-'))
  try {
    const file = path.join(dir, 'trace.zip')
    writeFileSync(file, redactZip(writeZip(input), redact))
    assert.match(execFileSync('unzip', ['-t', file]).toString(), /No errors detected/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a damaged archive is a clear error, never an empty or partial trace', () => {
  const zip = writeZip(input)
  assert.throws(() => redactZip(zip.subarray(0, zip.length - 40), redact), /not a readable zip archive/)
  assert.throws(() => redactZip(Buffer.from('not a zip at all'), redact), /not a readable zip archive/)
})
