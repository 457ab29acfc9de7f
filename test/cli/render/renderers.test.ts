import { test, mock } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RolloutEvent } from '../../../src/engine/events.js'
import { checklistRenderer } from '../../../src/cli/render/checklist.js'
import { plainRenderer } from '../../../src/cli/render/plain.js'
import { jsonRenderer } from '../../../src/cli/render/json.js'
import { githubRenderer } from '../../../src/cli/render/github.js'

/*
 * Each recorded event stream (fixtures/*.json, made from real runs by fixtures/record.ts) through each
 * renderer, compared with snapshots/<renderer>-<fixture>.txt. An escape character is written there
 * as `␛`, so colours and the checklist's redraws (`␛[2A␛[0J`: up two lines, clear below) can be read.
 *
 * After a deliberate change to what a renderer prints, rewrite the snapshots and review their diff:
 *   ROLLOUT_UPDATE_SNAPSHOTS=1 node --import tsx --test test/cli/render/renderers.test.ts
 */

const HERE = path.dirname(fileURLToPath(import.meta.url))
const SNAPSHOTS = path.join(HERE, 'snapshots')
const UPDATE = process.env.ROLLOUT_UPDATE_SNAPSHOTS === '1'
const COLUMNS = 80

const FIXTURES = ['passed', 'rolled-back'] as const
type Fixture = (typeof FIXTURES)[number]

function load(fixture: Fixture): RolloutEvent[] {
  return JSON.parse(readFileSync(path.join(HERE, 'fixtures', `${fixture}.json`), 'utf8')) as RolloutEvent[]
}

/** A stream that keeps what is written to it; `tty` makes it a terminal of COLUMNS characters. */
function capture(tty: boolean) {
  let text = ''
  const stream = { isTTY: tty, columns: tty ? COLUMNS : undefined, write: (s: string) => ((text += s), true) }
  return { stream: stream as unknown as NodeJS.WriteStream, get text() { return text } }
}

/** NO_COLOR and FORCE_COLOR as given while `fn` runs (renderers read them when made). */
function withColourEnv<T>(env: { NO_COLOR?: string; FORCE_COLOR?: string }, fn: () => T): T {
  const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR }
  const set = (values: typeof env) => {
    for (const key of ['NO_COLOR', 'FORCE_COLOR'] as const) {
      if (values[key] === undefined) delete process.env[key]
      else process.env[key] = values[key]
    }
  }
  set(env)
  try {
    return fn()
  } finally {
    set(saved)
  }
}

/**
 * Feeds the events in order. The clock the checklist times running steps with follows the events'
 * own `at`, so its elapsed times are the recorded ones wherever and whenever the test runs.
 */
function feed(events: RolloutEvent[], make: () => (e: RolloutEvent) => void): void {
  let now = Date.parse(events[0]!.at)
  const clock = mock.method(performance, 'now', () => now)
  try {
    const render = make()
    for (const e of events) {
      now = Date.parse(e.at)
      render(e)
    }
  } finally {
    clock.mock.restore()
  }
}

interface Renderer {
  name: string
  tty: boolean
  colours?: boolean
  make(stream: NodeJS.WriteStream): (e: RolloutEvent) => void
}

const RENDERERS: Renderer[] = [
  { name: 'checklist', tty: true, make: (s) => checklistRenderer(s) },
  { name: 'plain', tty: false, make: (s) => plainRenderer(s, { showOutput: false }) },
  { name: 'plain-verbose', tty: false, make: (s) => plainRenderer(s, { showOutput: true }) },
  { name: 'json', tty: false, make: (s) => jsonRenderer(s) },
  { name: 'github', tty: false, make: (s) => githubRenderer(s, () => 'STOP-TOKEN') },
]

function render(renderer: Renderer, events: RolloutEvent[]): string {
  const out = capture(renderer.tty)
  const env = renderer.colours ? {} : { NO_COLOR: '1' }
  withColourEnv(env, () => feed(events, () => renderer.make(out.stream)))
  return out.text
}

const visible = (text: string) => text.replace(/\x1b/g, '␛')

function matchSnapshot(name: string, text: string): void {
  const file = path.join(SNAPSHOTS, `${name}.txt`)
  const shown = visible(text)
  if (UPDATE) {
    mkdirSync(SNAPSHOTS, { recursive: true })
    writeFileSync(file, shown)
    return
  }
  assert.ok(existsSync(file), `no snapshot ${path.relative(process.cwd(), file)}: run the test with ROLLOUT_UPDATE_SNAPSHOTS=1 to write it, then review it`)
  assert.equal(shown, readFileSync(file, 'utf8'), `${name} differs from its snapshot (ROLLOUT_UPDATE_SNAPSHOTS=1 rewrites it after a deliberate change)`)
}

for (const fixture of FIXTURES) {
  for (const renderer of RENDERERS) {
    test(`${renderer.name} renders the ${fixture} run as its snapshot`, () => {
      matchSnapshot(`${renderer.name}-${fixture}`, render(renderer, load(fixture)))
    })
  }
}

test('the checklist in colour renders the rolled-back run as its snapshot', () => {
  const text = render({ ...RENDERERS[0]!, colours: true }, load('rolled-back'))
  assert.ok(text.includes('\x1b['), 'no colour in a terminal without NO_COLOR')
  matchSnapshot('checklist-colours-rolled-back', text)
})

test('the JSON renderer writes each event exactly as recorded, one per line', () => {
  for (const fixture of FIXTURES) {
    const events = load(fixture)
    const lines = render(RENDERERS.find((r) => r.name === 'json')!, events).trimEnd().split('\n')
    assert.deepEqual(lines.map((l) => JSON.parse(l)), events)
  }
})

/**
 * What a terminal of COLUMNS characters shows after the writes: `␛[nA` moves up n lines, `␛[0J`
 * clears below, colours take no room, a longer line wraps.
 */
function screen(text: string): string[] {
  const rows: string[] = []
  let row = 0
  for (const part of text.split(/(\x1b\[[0-9;?]*[A-Za-z]|\n)/)) {
    const move = /^\x1b\[(\d*)([A-Za-z])$/.exec(part)
    if (part === '\n') row++
    else if (move?.[2] === 'A') row = Math.max(0, row - Number(move[1] || 1))
    else if (move?.[2] === 'J') rows.length = row
    else if (!move && part) {
      // Cells are written from the row's start: nothing here writes a partial line.
      for (let i = 0; i < part.length; i += COLUMNS) {
        if (i) row++
        rows[row] = (rows[row] ?? '') + part.slice(i, i + COLUMNS)
      }
    }
  }
  return rows.slice(0, row)
}

/** The plain renderer's lines for the events, without those it prints when a step or an undo starts. */
function finishedLines(events: RolloutEvent[]): string[] {
  const out = capture(false)
  const render = withColourEnv({ NO_COLOR: '1' }, () => plainRenderer(out.stream, { showOutput: false }))
  const lines: string[] = []
  for (const e of events) {
    const before = out.text.length
    render(e)
    if (e.type !== 'step-started' && e.type !== 'undo-started') lines.push(...out.text.slice(before).split('\n').slice(0, -1))
  }
  return lines
}

test('after a run the checklist leaves on screen each finished line once, no running line left over', () => {
  for (const fixture of FIXTURES) {
    const events = load(fixture)
    const shown = screen(render(RENDERERS[0]!, events))
    // Both renderers describe finished events alike. A line longer than the terminal wraps; it has
    // scrolled up by then, so no redraw depends on it.
    const rows = finishedLines(events).flatMap((l) => l.match(new RegExp(`.{1,${COLUMNS}}`, 'g')) ?? [''])
    assert.deepEqual(shown, rows, fixture)
  }
})
