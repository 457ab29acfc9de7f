import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { Readable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import { framedCompression, type Frame } from '../../../src/adapters/database/framed-compress.js'
import { frameRuns, framesCover } from '../../../src/adapters/database/frame-runs.js'
import { pickCompressor } from '../../../src/adapters/database/tools.js'

/** Lines of varied length, like a dump's: about `bytes` long. */
function dumpLike(bytes: number): Buffer {
  const lines: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const line = `INSERT INTO \`t\` VALUES (${i},'${'x'.repeat(i % 5000)}');\n`
    lines.push(line)
    size += line.length
  }
  return Buffer.from(lines.join(''))
}

async function compress(input: Buffer, kind: 'zstd' | 'gzip', frameBytes: number, pieceBytes: number): Promise<{ file: Buffer; frames: Frame[] }> {
  const framed = framedCompression(await pickCompressor(kind), frameBytes)
  async function* pieces() {
    for (let at = 0; at < input.length; at += pieceBytes) yield input.subarray(at, at + pieceBytes)
  }
  const out: Buffer[] = []
  for await (const chunk of framed.compress(Readable.from(pieces()))) out.push(chunk)
  return { file: Buffer.concat(out), frames: framed.frames() }
}

function decompress(bytes: Buffer, kind: 'zstd' | 'gzip'): Buffer {
  if (kind === 'gzip') return gunzipSync(bytes)
  const run = spawnSync('zstd', ['-d', '-q', '-c'], { input: bytes, maxBuffer: 1 << 30 })
  assert.equal(run.status, 0, run.stderr.toString())
  return run.stdout
}

describe('a dump compressed in frames', () => {
  const input = dumpLike(3_000_000)

  for (const kind of ['zstd', 'gzip'] as const) {
    it(`${kind}: is one ordinary file whole, and each frame alone gives its own part of the dump, starting at a line`, async () => {
      const { file, frames } = await compress(input, kind, 200_000, 65_536)
      assert.ok(frames.length >= 10 && frames.length <= 16, `${frames.length} frames`)
      assert.equal(framesCover(frames, input.length), true)
      assert.deepEqual(decompress(file, kind), input)
      for (const frame of frames) {
        const part = decompress(file.subarray(frame.file.start, frame.file.end), kind)
        assert.deepEqual(part, input.subarray(frame.dump.start, frame.dump.end))
        if (frame.dump.start > 0) assert.equal(input[frame.dump.start - 1], 0x0a, 'the frame before ends with a line')
      }
      // A range read of consecutive frames decompresses as one.
      const [a, b] = [frames[3]!, frames[5]!]
      assert.deepEqual(decompress(file.subarray(a.file.start, b.file.end), kind), input.subarray(a.dump.start, b.dump.end))
    })
  }

  it('an empty dump gives no frame', async () => {
    const { file, frames } = await compress(Buffer.alloc(0), 'zstd', 1000, 100)
    assert.equal(file.length, 0)
    assert.deepEqual(frames, [])
  })
})

describe('frame runs', () => {
  const frames: Frame[] = [0, 1, 2, 3, 4, 5].map((i) => ({ dump: { start: i * 100, end: (i + 1) * 100 }, file: { start: i * 10, end: (i + 1) * 10 } }))

  it('reads the frames that hold the parts, consecutive ones in one run', () => {
    // Frame 1 is skipped; frames 2–4 (two parts) and 5 touch, so they are one run.
    assert.deepEqual(frameRuns(frames, [{ start: 0, end: 20 }, { start: 250, end: 260 }, { start: 299, end: 420 }, { start: 590, end: 600 }]), [
      { dump: { start: 0, end: 100 }, file: { start: 0, end: 10 } },
      { dump: { start: 200, end: 600 }, file: { start: 20, end: 60 } },
    ])
    assert.deepEqual(frameRuns(frames, [{ start: 10, end: 20 }, { start: 30, end: 40 }]), [{ dump: { start: 0, end: 100 }, file: { start: 0, end: 10 } }])
  })

  it('refuses a part beyond the last frame, and frames with a gap are not used', () => {
    assert.throws(() => frameRuns(frames, [{ start: 550, end: 650 }]), /frames end at byte 600/)
    assert.equal(framesCover(frames, 600), true)
    assert.equal(framesCover(frames, 700), false)
    assert.equal(framesCover([frames[0]!, frames[2]!], 300), false)
    assert.equal(framesCover(undefined, 600), false)
  })
})
