import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import database from '../../../src/steps/environment/database.js'
import { parseGrants, privilegesOn, withoutCredentials } from '../../../src/steps/environment/grants.js'
import { createTestDatabase, testServerUrl } from '../../support/mysql.js'
import { gate } from '../preflight/harness.js'
import { closedPort } from './servers.js'

async function admin<T>(fn: (conn: import('mysql2/promise').Connection) => Promise<T>): Promise<T> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection(testServerUrl())
  try {
    return await fn(conn)
  } finally {
    await conn.end()
  }
}

/** A user made for one test with the given grants on `db`, dropped when the test ends. */
async function limitedUser(t: { after(fn: () => unknown): void }, db: string, grants: string) {
  const user = `rg_${randomBytes(4).toString('hex')}`
  const password = `pw-${randomBytes(8).toString('hex')}`
  await admin(async (c) => {
    await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`)
    await c.query(`GRANT ${grants} ON \`${db}\`.* TO '${user}'@'%'`)
  })
  t.after(() => admin((c) => c.query(`DROP USER IF EXISTS '${user}'@'%'`)))
  const server = new URL(testServerUrl())
  return { user, password, url: `mysql://${user}:${encodeURIComponent(password)}@${server.host}/${db}` }
}

test('database: a user with every privilege passes, with the flavour and version', async (t) => {
  const db = await createTestDatabase('gate')
  t.after(db.drop)
  const h = gate(t, database, { phase: 'environment', environment: { url: 'https://staging.test', database: { url: db.url } } })
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  const version = await admin(async (c) => ((await c.query('SELECT VERSION() AS v'))[0] as { v: string }[])[0]!.v)
  const flavour = /mariadb/i.test(version) ? 'MariaDB' : 'MySQL'
  assert.match(outcome.summary, new RegExp(`^${flavour} ${version.replace(/[.+]/g, '\\$&')}, connected as \\S+ in \\d+ ms; every needed privilege on ${db.name}$`))
  assert.equal(outcome.data?.flavour, flavour)
})

test('database: every privilege on the database but no global RELOAD is a warning naming the slower restore', async (t) => {
  const db = await createTestDatabase('gate')
  t.after(db.drop)
  const limited = await limitedUser(t, db.name, 'ALL PRIVILEGES')
  const outcome = await gate(t, database, { phase: 'environment', environment: { url: 'https://staging.test', database: { url: limited.url } } }).run()
  assert.equal(outcome.status, 'warning', outcome.summary)
  assert.match(outcome.summary, /every needed privilege on \S+; no global RELOAD: a rollback will restore every table rather than only those the migration changed/)
})

test('database: without CREATE, DROP and its rights on the target on the scratch names, the gate says the migration rehearsal will be skipped', async (t) => {
  const db = await createTestDatabase('gate')
  t.after(db.drop)
  const limited = await limitedUser(t, db.name, 'SELECT, CREATE, ALTER')
  const environment = { url: 'https://staging.test', database: { url: limited.url } }
  const outcome = await gate(t, database, { phase: 'environment', environment, options: { privileges: ['SELECT'] } }).run()
  assert.equal(outcome.status, 'warning', outcome.summary)
  const pattern = `${db.name.replace(/_/g, '\\\\_')}\\\\_rehearse\\\\_%`
  assert.match(outcome.summary, new RegExp(`no CREATE, DROP, ALTER, SELECT on the scratch databases ${pattern}: the migration rehearsal will be skipped \\(GRANT CREATE, DROP, ALTER, SELECT ON \`${pattern}\`\\.\\* TO ${limited.user}@`))
  await admin((c) => c.query(`GRANT ALL PRIVILEGES ON \`${db.name.replace(/_/g, '\\_')}\\_rehearse\\_%\`.* TO '${limited.user}'@'%'`))
  const granted = await gate(t, database, { phase: 'environment', environment, options: { privileges: ['SELECT'] } }).run()
  assert.doesNotMatch(granted.summary, /rehearsal/)
  await admin((c) => c.query(`REVOKE ALL PRIVILEGES ON \`${db.name.replace(/_/g, '\\_')}\\_rehearse\\_%\`.* FROM '${limited.user}'@'%'`))
  const off = await gate(t, database, { phase: 'environment', environment: { ...environment, migrate: { rehearse: false } }, options: { privileges: ['SELECT'] } }).run()
  assert.doesNotMatch(off.summary, /rehearsal/, 'no rehearsal, no privilege needed for it')
})

test('database: a user missing privileges a backup and a migration need has them named', async (t) => {
  const db = await createTestDatabase('gate')
  t.after(db.drop)
  const u = await limitedUser(t, db.name, 'SELECT, INSERT, UPDATE, LOCK TABLES, SHOW VIEW')
  const h = gate(t, database, { phase: 'environment', environment: { url: 'https://staging.test', database: { url: u.url } } })
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, new RegExp(`: ${u.user}@% lacks TRIGGER, EVENT, CREATE, ALTER, DROP, INDEX, REFERENCES on ${db.name} \\(needed for the backup and the migration\\)$`))
  assert.deepEqual(outcome.data?.missing, ['TRIGGER', 'EVENT', 'CREATE', 'ALTER', 'DROP', 'INDEX', 'REFERENCES'])
  const evidence = h.readEvidence('database.json')
  assert.ok(!evidence.includes(u.password) && !h.logs.join('\n').includes(u.password))
  // MariaDB prints the password hash with the grants; the record keeps it out.
  assert.ok(!/\*[0-9A-F]{40}/.test(evidence))
  assert.deepEqual(JSON.parse(evidence).effective, ['INSERT', 'LOCK TABLES', 'SELECT', 'SHOW VIEW', 'UPDATE'])
})

test('database: a wrong password, a missing database and a closed port each say so', async (t) => {
  const db = await createTestDatabase('gate')
  t.after(db.drop)
  const u = await limitedUser(t, db.name, 'ALL PRIVILEGES')
  const server = new URL(testServerUrl())
  const run = (url: string) => gate(t, database, { phase: 'environment', environment: { url: 'https://staging.test', database: { url } } }).run()

  const wrong = await run(`mysql://${u.user}:not-the-password@${server.host}/${db.name}`)
  assert.equal(wrong.status, 'failed')
  assert.match(wrong.summary, new RegExp(`^access denied for user ${u.user} at ${server.hostname}:\\d+: wrong password, or the user may not connect from this host`))
  assert.ok(!wrong.summary.includes('not-the-password'))

  const nodb = await run(`mysql://${u.user}:${encodeURIComponent(u.password)}@${server.host}/${db.name}_missing`)
  assert.equal(nodb.status, 'failed')
  assert.match(nodb.summary, /does not exist|may not use database/)

  const port = await closedPort()
  const refused = await run(`mysql://${u.user}:${encodeURIComponent(u.password)}@127.0.0.1:${port}/${db.name}`)
  assert.equal(refused.status, 'failed')
  assert.equal(refused.summary, `connection refused: nothing accepts connections on 127.0.0.1:${port}`)
})

test('database: no database configured is skipped, naming the key', async (t) => {
  const outcome = await gate(t, database, { environment: { url: 'https://staging.test' } }).run()
  assert.equal(outcome.status, 'skipped')
  assert.equal(outcome.summary, 'no database configured (environments.staging.database.url)')
})

test('grants: global, database and wildcard grants count; table, column and routine grants do not', () => {
  const parsed = parseGrants([
    "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'",
    'GRANT SELECT, LOCK TABLES, SHOW VIEW ON *.* TO `app`@`%`',
    'GRANT CREATE, ALTER, DROP ON `terp\\_%`.* TO `app`@`%`',
    'GRANT INDEX ON `other`.* TO `app`@`%`',
    'GRANT TRIGGER ON `terp_staging`.`orders` TO `app`@`%`',
    'GRANT SELECT (`id`, `name`), REFERENCES (`id`) ON `terp_staging`.`clients` TO `app`@`%`',
    'GRANT EXECUTE ON PROCEDURE `terp_staging`.`close_month` TO `app`@`%`',
    'GRANT `deployer`@`%`,`reader`@`%` TO `app`@`%`',
    'GRANT BACKUP_ADMIN,REPLICATION_APPLIER ON *.* TO `app`@`%`',
    "GRANT PROXY ON ''@'' TO 'app'@'%' WITH GRANT OPTION",
  ])
  assert.deepEqual(parsed.roles, ['deployer', 'reader'])
  assert.deepEqual(parsed.unparsed, [])
  const report = privilegesOn(parsed, 'terp_staging')
  assert.deepEqual(report.missing, ['TRIGGER', 'EVENT', 'INDEX', 'REFERENCES'])
  assert.deepEqual(report.partial, ['TRIGGER on terp_staging.orders', 'SELECT, REFERENCES on terp_staging.clients', 'EXECUTE on PROCEDURE terp_staging.close_month'])
  // `terp\_%` is a pattern: a literal underscore, then anything.
  assert.deepEqual(privilegesOn(parsed, 'terpXstaging').missing.includes('CREATE'), true)
  assert.deepEqual(privilegesOn(parseGrants(['GRANT ALL PRIVILEGES ON `terp_staging`.* TO `app`@`%` WITH GRANT OPTION']), 'terp_staging').missing, [])
  assert.equal(withoutCredentials("GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'"), "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '[redacted]'")
})
