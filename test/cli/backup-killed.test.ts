import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { finished, makeProject, processRunning, runCli, spawnCli } from '../support/cli.js'
import { createTestDatabase, testServerUrl } from '../support/mysql.js'

async function query(url: string, sql: string): Promise<void> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true })
  try {
    await conn.query(sql)
  } finally {
    await conn.end()
  }
}

/** Files below `root` changed since `since` (older ones cannot hold this test's fresh password). */
function recentFiles(root: string, since: number, out: string[] = []): string[] {
  let entries
  try {
    entries = readdirSync(root, { withFileTypes: true })
  } catch {
    return out
  }
  for (const e of entries) {
    const file = path.join(root, e.name)
    if (e.isDirectory()) recentFiles(file, since, out)
    else if (e.isFile()) {
      const info = statSync(file, { throwIfNoEntry: false })
      if (info && info.mtimeMs >= since && info.size < 64 << 20) out.push(file)
    }
  }
  return out
}

function holding(files: string[], secret: string): string[] {
  return files.filter((f) => {
    try {
      return readFileSync(f).includes(secret)
    } catch {
      return false
    }
  })
}

/** The children of `pid` by name, from /proc. */
function childrenOf(pid: number): { pid: number; name: string }[] {
  const out: { pid: number; name: string }[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) out.push({ pid: Number(entry), name })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

describe('rollout backup killed with kill -9 in the middle of the dump', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  const user = `kill_${randomBytes(3).toString('hex')}`
  const password = `Kp-${randomBytes(10).toString('hex')}`
  let env: Record<string, string>
  let dir: string
  let started: number

  before(async () => {
    started = Date.now() - 2000
    db = await createTestDatabase('killed')
    await query(testServerUrl(), `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON \`${db.name}\`.* TO '${user}'@'%'; GRANT RELOAD ON *.* TO '${user}'@'%'`)
    // About 60 MB of dump: long enough to catch the dump tool at work.
    await query(db.url, 'CREATE TABLE big (id INT PRIMARY KEY, v VARCHAR(300)) ENGINE=InnoDB; INSERT INTO big SELECT seq, REPEAT(MD5(seq), 9) FROM seq_1_to_200000')
    const server = new URL(testServerUrl())
    env = { DATABASE_URL: `mysql://${user}:${encodeURIComponent(password)}@${server.hostname}:${server.port || 3306}/${db.name}` }
    dir = makeProject({ environments: { staging: { url: 'https://staging.example.test', backups: { verify: 'quick' } } } })
  })
  after(async () => {
    await query(testServerUrl(), `DROP USER IF EXISTS '${user}'@'%'`)
    await db.drop()
  })

  it('leaves the password in no file: not in the temporary folder, /dev/shm or the project', async () => {
    const child = spawnCli(['backup', 'staging'], { cwd: dir, env })
    const backups = path.join(dir, '.rollout', 'backups')
    let dump: { pid: number; name: string } | undefined
    const until = Date.now() + 60_000
    // Mid-dump: the dump tool runs and the in-progress file has bytes.
    while (Date.now() < until) {
      dump = childrenOf(child.pid!).find((c) => /^(mariadb-dump|mysqldump)$/.test(c.name))
      const partial = existsSync(backups) ? readdirSync(backups).find((n) => n.endsWith('.partial')) : undefined
      if (dump && partial && statSync(path.join(backups, partial)).size > 0) break
      await sleep(10)
    }
    assert.ok(dump && processRunning(dump.pid), `the dump tool was not caught running: ${child.output.stderr}`)
    child.kill('SIGKILL')
    await finished(child)
    // Its children see the broken pipe and end.
    for (let i = 0; i < 200 && processRunning(dump.pid); i++) await sleep(25)

    const roots = [os.tmpdir(), '/dev/shm', dir]
    const files = roots.flatMap((r) => recentFiles(r, started))
    assert.ok(files.some((f) => f.endsWith('.partial')), 'the killed dump left its in-progress file (the case this test is about)')
    assert.deepEqual(holding(files, password), [])
    assert.deepEqual(holding(files, encodeURIComponent(password)), [])
  })

  it('the next backup removes the killed one\'s in-progress file and says so', async () => {
    const backups = path.join(dir, '.rollout', 'backups')
    const leftover = readdirSync(backups).filter((n) => n.endsWith('.partial'))
    assert.equal(leftover.length, 1)
    const run = await runCli(['backup', 'staging'], { cwd: dir, env })
    assert.equal(run.code, 0, run.stdout + run.stderr)
    assert.deepEqual(readdirSync(backups).filter((n) => n.endsWith('.partial')), [])
    assert.match(run.stdout, new RegExp(`^ {2}swept {5}${leftover[0]!.replace(/\./g, '\\.')} \\(left by a backup that was stopped\\)$`, 'm'))
  })
})
