import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decideRestore } from '../../../src/steps/migrate/undo-decision.js'

const H1 = 'a'.repeat(64)
const H2 = 'b'.repeat(64)
const done = (changed: boolean | null, diff: string[] = []) => ({ stage: 'done', before: { hash: H1 }, after: { hash: changed ? H2 : H1 }, changed, diff })

test('when the undo of a migration restores the database', () => {
  const cases: [string, Parameters<typeof decideRestore>[0], boolean, RegExp][] = [
    ['never started (no checkpoint)', { recorded: {}, endedAs: 'interrupted', mode: 'auto', currentHash: H1 }, false, /never started/],
    ['switched off', { recorded: done(true, ['x']), endedAs: 'passed', mode: 'never', currentHash: H2 }, false, /restore: never/],
    ['always, even without a change', { recorded: done(false), endedAs: 'passed', mode: 'always', currentHash: H1 }, true, /restore: always/],
    ['interrupted while migrating', { recorded: { stage: 'migrating', before: { hash: H1 } }, endedAs: 'interrupted', mode: 'auto', currentHash: H1 }, true, /interrupted/],
    ['checkpoint says migrating though the step ended', { recorded: { stage: 'migrating', before: { hash: H1 } }, endedAs: 'failed', mode: 'auto', currentHash: H1 }, true, /interrupted/],
    ['failed, schema unchanged', { recorded: done(false), endedAs: 'failed', mode: 'auto', currentHash: H1 }, true, /failed part-way/],
    ['passed with a schema change', { recorded: done(true, ['a', 'b']), endedAs: 'passed', mode: 'auto', currentHash: H2 }, true, /changed the schema \(2 changes\)/],
    ['passed, change unknown', { recorded: done(null), endedAs: 'passed', mode: 'auto', currentHash: H1 }, true, /unknown/],
    ['passed unchanged, schema unreadable now', { recorded: done(false), endedAs: 'passed', mode: 'auto', currentHash: null }, true, /could not be read/],
    ['passed unchanged, but the schema moved since', { recorded: done(false), endedAs: 'passed', mode: 'auto', currentHash: H2 }, true, /now differs/],
    ['passed unchanged and still the same', { recorded: done(false), endedAs: 'passed', mode: 'auto', currentHash: H1 }, false, /changed no schema/],
    ['no before fingerprint in the record', { recorded: { stage: 'done', changed: false }, endedAs: 'passed', mode: 'auto', currentHash: H1 }, true, /no schema fingerprint/],
  ]
  for (const [name, input, restore, reason] of cases) {
    const d = decideRestore(input)
    assert.equal(d.restore, restore, name)
    assert.match(d.reason, reason, name)
  }
})
