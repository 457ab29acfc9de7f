import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { runIdOfScratch, scratchName, scratchPrefix } from '../../../src/steps/migrate/scratch-name.js'
import { wouldChange } from '../../../src/steps/migrate/would-change.js'
import { rehearsedCommands, rehearseMode, verifiedBackup } from '../../../src/steps/migrate/rehearse-settings.js'

describe('scratch database names', () => {
  it('name the database and the run, and give the run back', () => {
    const name = scratchName('terp_staging', '20261205-031211-ab12')
    assert.equal(name, 'terp_staging_rehearse_20261205031211ab12')
    assert.equal(runIdOfScratch('terp_staging', name), '20261205-031211-ab12')
  })

  it('fit in 64 characters however long the database name is', () => {
    const long = 'x'.repeat(80)
    const name = scratchName(long, '20261205-031211-ab12')
    assert.equal(name.length, 64)
    assert.ok(name.startsWith(scratchPrefix(long)))
    assert.equal(runIdOfScratch(long, name), '20261205-031211-ab12')
  })

  it('are not read into names that are not theirs', () => {
    assert.equal(runIdOfScratch('terp_staging', 'terp_staging_verify_0a1b2c3d'), null)
    assert.equal(runIdOfScratch('terp_staging', 'terp_staging_rehearse_notarun'), null)
    assert.equal(runIdOfScratch('terp', 'terp_staging_rehearse_20261205031211ab12'), null)
  })
})

describe('what a migration would change', () => {
  it('says there is no change', () => {
    assert.equal(wouldChange([]), 'no schema change')
  })

  it('names the first changes and counts the tables', () => {
    assert.equal(wouldChange(['order_lines: added column discount INT NOT NULL DEFAULT 0']), 'would add column order_lines.discount; 1 table altered')
    assert.equal(
      wouldChange(['added table coupons (3 columns)', 'orders: dropped index status_idx', 'orders: added column priority INT', 'added view open_orders']),
      'would add table coupons, drop index orders.status_idx (+2 more); 1 table altered, 1 table added, 1 view, trigger, routine or event changed',
    )
  })
})

describe('rehearsal settings', () => {
  it('default to the schema, and say when the config asked', () => {
    assert.deepEqual(rehearseMode(undefined, {}), { mode: 'schema', explicit: false })
    assert.deepEqual(rehearseMode(undefined, { rehearse: 'data' }), { mode: 'data', explicit: true })
    assert.deepEqual(rehearseMode(false, { rehearse: 'data' }), { mode: false, explicit: true })
  })

  it('take only the backup this run took and verified', () => {
    const ids = { backup: 'backup', verify: 'backup-verify' }
    const backup = { id: 'b1', manifestPath: '/b/b1.manifest.json' }
    assert.deepEqual(verifiedBackup(backup, { ok: true, manifestPath: '/b/b1.manifest.json' }, ids), { id: 'b1', manifestPath: '/b/b1.manifest.json' })
    assert.match((verifiedBackup(undefined, undefined, ids) as { missing: string }).missing, /no backup was taken in this run/)
    assert.match((verifiedBackup(backup, { ok: false, manifestPath: '/b/b1.manifest.json' }, ids) as { missing: string }).missing, /not verified in this run/)
    assert.match((verifiedBackup(backup, { ok: true, manifestPath: '/b/b0.manifest.json' }, ids) as { missing: string }).missing, /verified another backup/)
  })

  it("rehearse the plan's own migrate and schema-verify commands", () => {
    const section = { command: 'pnpm db:push', validate: 'pnpm validate:schema' }
    const steps = [
      { id: 'migrate', options: { command: 'make migrate', cwd: 'db', env: { A: '1' }, failOn: [] } },
      { id: 'schema-verify', options: { command: false, expect: { tables: ['orders'] } } },
    ]
    const commands = rehearsedCommands(steps, { migrate: 'migrate', verify: 'schema-verify' }, section)
    assert.deepEqual(commands.migrate, { command: 'make migrate', cwd: 'db', env: { A: '1' }, failOn: [] })
    assert.equal(commands.validate, null)
    assert.deepEqual(commands.expect, { tables: ['orders'] })
    assert.deepEqual(rehearsedCommands([{ id: 'schema-verify', options: {} }], { migrate: 'migrate', verify: 'schema-verify' }, section).validate, { command: 'pnpm validate:schema', env: {} })
    assert.equal(rehearsedCommands([], { migrate: 'migrate', verify: 'schema-verify' }, section).validate, null, 'no schema-verify step: nothing validates')
  })
})
