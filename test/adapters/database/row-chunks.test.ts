import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { scanDump } from '../../../src/adapters/database/dump-scanner.js'
import { planPhases, planReplay } from '../../../src/adapters/database/replay-plan.js'
import { RowChunker, statementLines } from '../../../src/adapters/database/row-chunks.js'
import { Channel } from '../../../src/shared/channel.js'
import { DUMP } from './dump-fixture.js'

const text = (pieces: readonly { start: number; end: number }[]) => pieces.map((p) => DUMP.slice(p.start, p.end)).join('')

describe('replay in phases', () => {
  const layout = scanDump(DUMP)
  const manifest = { layout: { header: layout.header, sections: layout.sections, footer: layout.footer, totalBytes: layout.totalBytes, completed: layout.completed } }

  it('creates the tables first, then their rows, then triggers, views and routines in dump order', () => {
    const { structure, rows, after } = planPhases(manifest, null)
    assert.match(text(structure), /CREATE TABLE `a`[\s\S]*CREATE TABLE `we``ird`[\s\S]*CREATE VIEW `v` AS SELECT 1/)
    assert.doesNotMatch(text(structure), /INSERT INTO|TRIGGER|PROCEDURE|VIEW `v` AS select/)
    assert.deepEqual(rows.map((r) => r.table), ['a', 'we`ird'])
    assert.match(text(rows), /^--\n-- Dumping data for table `a`/)
    assert.doesNotMatch(text(rows), /CREATE|TRIGGER/)
    assert.match(text(after), /TRIGGER ta[\s\S]*PROCEDURE `p`[\s\S]*VIEW `v` AS select/)
    assert.doesNotMatch(text(after), /INSERT INTO|CREATE TABLE/)
    // Every phase runs in the dump's session settings.
    for (const phase of [structure, after]) assert.ok(text(phase).startsWith(DUMP.slice(0, layout.header.end)))
  })

  it('replays the same bytes as the one-session plan, each once', () => {
    const covered = (pieces: readonly { start: number; end: number }[]) => {
      const marks = new Array<number>(DUMP.length).fill(0)
      for (const p of pieces) for (let i = p.start; i < p.end; i++) marks[i]!++
      return marks
    }
    for (const tables of [null, new Set(['we`ird'])]) {
      const whole = covered(planReplay(manifest, tables))
      const { structure, rows, after } = planPhases(manifest, tables)
      const phased = covered([...structure, ...rows, ...after])
      // The header and the footer open and close each statement phase; every other byte is sent once.
      const { header, footer } = layout
      for (let i = 0; i < DUMP.length; i++) {
        const expected = i < header.end ? whole[i]! * 2 : i >= footer.start ? whole[i]! * 2 : whole[i]!
        assert.equal(phased[i], expected, `byte ${i} (${JSON.stringify(DUMP.slice(i, i + 20))})`)
      }
    }
  })

  it('in a differential restore, keeps the other tables out but their triggers in', () => {
    const { structure, rows, after } = planPhases(manifest, new Set(['we`ird']))
    assert.doesNotMatch(text(structure), /CREATE TABLE `a`/)
    assert.deepEqual(rows.map((r) => r.table), ['we`ird'])
    assert.match(text(after), /TRIGGER ta/)
  })
})

/** A data part as mariadb-dump writes it, `statements` INSERTs of `rowsEach` rows. */
function dataPart(statements: number, rowsEach: number): string {
  const lines = ['--', '-- Dumping data for table `t`', '--', '', 'LOCK TABLES `t` WRITE;', '/*!40000 ALTER TABLE `t` DISABLE KEYS */;']
  let id = 0
  for (let s = 0; s < statements; s++) lines.push(`INSERT INTO \`t\` VALUES ${Array.from({ length: rowsEach }, () => `(${++id},'row ${id}\\nnot a line;\\nINSERT ')`).join(',')};`)
  lines.push('/*!40000 ALTER TABLE `t` ENABLE KEYS */;', 'UNLOCK TABLES;', '')
  return lines.join('\n')
}

function chunkAll(input: Buffer, chunkBytes: number, pieceBytes: number): string[] {
  const chunker = new RowChunker(chunkBytes)
  const chunks: Buffer[][] = []
  for (let at = 0; at < input.length; at += pieceBytes) chunks.push(...chunker.push(input.subarray(at, at + pieceBytes)))
  chunks.push(...chunker.end())
  return chunks.map((c) => Buffer.concat(c).toString())
}

describe('row chunks for concurrent sessions', () => {
  const part = Buffer.from(dataPart(40, 25))
  const inserts = part.toString().split('\n').filter((l) => l.startsWith('INSERT '))

  it('cuts the rows into chunks of whole statements, without the table lock or the key switches', () => {
    for (const pieceBytes of [1, 7, 100, 4096, part.length]) {
      const chunks = chunkAll(part, 2000, pieceBytes)
      // Bytes arriving in pieces smaller than a chunk are cut about every chunk's size; one large
      // piece is cut once, at its last statement boundary.
      if (pieceBytes < 2000) assert.ok(chunks.length >= 10, `${chunks.length} chunks from pieces of ${pieceBytes} bytes`)
      else assert.ok(chunks.length >= 2, `${chunks.length} chunks from pieces of ${pieceBytes} bytes`)
      for (const chunk of chunks) {
        assert.ok(chunk.startsWith('INSERT INTO `t` VALUES (') && chunk.endsWith(');\n'), chunk.slice(0, 40))
      }
      assert.deepEqual(chunks.join('').split('\n').filter(Boolean), inserts, `pieces of ${pieceBytes} bytes`)
    }
  })

  it('never cuts inside a statement that spans lines', () => {
    const wrapped = Buffer.from(['LOCK TABLES `t` WRITE;', 'INSERT INTO `t` VALUES', '(1),', '(2);', 'INSERT INTO `t` VALUES', '(3);', 'UNLOCK TABLES;', ''].join('\n'))
    const chunks = chunkAll(wrapped, 5, 3)
    assert.deepEqual(chunks, ['INSERT INTO `t` VALUES\n(1),\n(2);\n', 'INSERT INTO `t` VALUES\n(3);\n'])
  })

  it('keeps a line it does not know, and drops only the lock and key lines it does', () => {
    const lines = statementLines(Buffer.from('LOCK TABLES `t` WRITE;\nSET @x = 1;\nINSERT INTO `t` VALUES (1);\nUNLOCK TABLES;\n'))
    assert.equal(Buffer.concat(lines).toString(), 'SET @x = 1;\nINSERT INTO `t` VALUES (1);\n')
  })

  it('holds one huge statement whole however it arrives', () => {
    const huge = `INSERT INTO \`t\` VALUES ${Array.from({ length: 3000 }, (_, i) => `(${i})`).join(',')};\n`
    const chunks = chunkAll(Buffer.from(huge + huge), 100, 64)
    assert.deepEqual(chunks, [huge, huge])
  })
})

describe('channel', () => {
  it('makes the producer wait while full, and hands each item to one consumer', async () => {
    const channel = new Channel<number>(2)
    const seen: number[][] = [[], []]
    const consumers = seen.map(async (mine) => {
      for await (const item of channel) {
        mine.push(item)
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
    })
    let waited = 0
    for (let i = 0; i < 20; i++) {
      const put = channel.put(i)
      let settled = false
      void put.then(() => (settled = true))
      await Promise.resolve()
      if (!settled) waited++
      await put
    }
    channel.close()
    await Promise.all(consumers)
    assert.deepEqual([...seen[0]!, ...seen[1]!].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i))
    assert.ok(seen[0]!.length > 0 && seen[1]!.length > 0, 'both consumers took items')
    assert.ok(waited > 0, 'the producer waited for room')
  })

  it('closed with an error, stops a waiting producer with that error', async () => {
    const channel = new Channel<number>(1)
    await channel.put(1)
    const blocked = channel.put(2)
    channel.close(new Error('session 2 failed'))
    await assert.rejects(blocked, /session 2 failed/)
  })
})
