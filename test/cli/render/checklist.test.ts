import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { checklistRenderer } from '../../../src/cli/render/checklist.js'
import type { RolloutEvent } from '../../../src/engine/events.js'

/** A terminal of `columns` characters that keeps what was written to it. */
function terminal(columns: number) {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { text: string }
  Object.assign(stream, { columns, isTTY: true, text: '' })
  const write = stream.write.bind(stream)
  stream.write = ((chunk: string) => {
    stream.text += chunk
    return write(chunk)
  }) as typeof stream.write
  return stream
}

const base = { runId: 'r1', at: new Date().toISOString() }

test('the live checklist keeps every running line within the terminal\'s width: long titles and output lines are cut, colours not counted', () => {
  for (const columns of [40, 60, 100]) {
    const stream = terminal(columns)
    const render = checklistRenderer(stream)
    const title = 'Apply database migrations (cd build/$ROLLOUT_RELEASE && node --import tsx src/migrate.ts --with-a-very-long-flag)'
    render({ ...base, type: 'step-started', stepId: 'migrate', title, phase: 'migrate', attempt: 1, pass: 'run' } as RolloutEvent)
    render({ ...base, type: 'step-output', stepId: 'migrate', line: `\x1b[32mapplied 0007_orders_discount (12 statements)\x1b[0m ${'x'.repeat(200)}`, pass: 'run' } as RolloutEvent)
    // What a terminal shows: escape codes (colours, cursor moves) take no room.
    const lines = stream.text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('\n')
    const drawn = lines.filter((l) => l.includes('Apply database'))
    assert.ok(drawn.length > 0, 'the running step was not drawn')
    for (const line of drawn) assert.ok(line.length <= columns - 1, `${line.length} > ${columns - 1}: ${line}`)
    assert.ok(drawn.some((l) => l.includes('…')), 'the cut title is not marked')
  }
})
