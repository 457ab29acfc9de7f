import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { createBackup } from '../../../src/adapters/database/create-backup.js'
import { restoreBackup } from '../../../src/adapters/database/restore-backup.js'
import { verifyBackup } from '../../../src/adapters/database/verify-backup.js'
import { clearToolCache } from '../../../src/adapters/database/tools.js'
import { connect, createTestDatabase, tempDir, testServerUrl } from './support.js'

/**
 * Stand-ins for the dump and client tools, first on PATH: each records its arguments, its
 * environment, the mode of the option file it was given and what its fd 3 is, then runs the real tool.
 */
function installRecorders(dir: string, record: string): void {
  for (const name of ['mariadb-dump', 'mysqldump', 'mariadb', 'mysql']) {
    let real: string
    try {
      real = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim()
    } catch {
      continue
    }
    const script = `#!/bin/sh
{
  echo "=== ${name} pid $$"
  for a in "$@"; do echo "arg: $a"; done
  env | sed 's/^/env: /'
  for a in "$@"; do
    case "$a" in --defaults-extra-file=*)
      f="\${a#--defaults-extra-file=}"
      echo "optionfile: $f mode $(stat -L -c %a "$f") fd3 $(readlink /proc/$$/fd/3)"
      echo "cmdline: $(tr '\\0' ' ' < /proc/$$/cmdline)";;
    esac
  done
} >> '${record}'
exec '${real}' "$@"
`
    writeFileSync(path.join(dir, name), script)
    chmodSync(path.join(dir, name), 0o755)
  }
}

describe('credentials never reach a command line, an environment or a named file', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let folder: ReturnType<typeof tempDir>
  const user = `rs_${randomBytes(3).toString('hex')}`
  const password = `S3cret-${randomBytes(8).toString('hex')}`
  let url: string
  const savedPath = process.env.PATH

  before(async () => {
    db = await createTestDatabase('sec')
    folder = tempDir()
    const admin = await connect(testServerUrl())
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON \`${db.name}\`.* TO '${user}'@'%'; GRANT RELOAD ON *.* TO '${user}'@'%'`)
    await admin.end()
    const conn = await connect(db.url)
    await conn.query("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t VALUES (1, 'a'), (2, 'b'); CREATE VIEW v AS SELECT id FROM t")
    await conn.end()
    const server = new URL(testServerUrl())
    url = `mysql://${user}:${encodeURIComponent(password)}@${server.hostname}:${server.port || 3306}/${db.name}`
    installRecorders(folder.dir, path.join(folder.dir, 'record.txt'))
    process.env.PATH = `${folder.dir}${path.delimiter}${savedPath}`
    clearToolCache()
  })
  after(async () => {
    process.env.PATH = savedPath
    clearToolCache()
    const admin = await connect(testServerUrl())
    await admin.query(`DROP USER IF EXISTS '${user}'@'%'`)
    await admin.end()
    await db.drop()
    folder.cleanup()
  })

  it('passes the password to the dump and the client only through an option file on an inherited descriptor, backed by no named file', async () => {
    const logs: string[] = []
    const backup = await createBackup({ url, dir: path.join(folder.dir, 'backups'), log: (l) => logs.push(l) })
    assert.equal(backup.manifest.consistency.checksums, 'synchronised')
    assert.equal((await verifyBackup({ backup: backup.manifestPath, level: 'quick' })).ok, true)
    const conn = await connect(db.url)
    await conn.query("UPDATE t SET v = 'changed'")
    await conn.end()
    const report = await restoreBackup({ url, backup: backup.manifestPath, log: (l) => logs.push(l) })
    assert.deepEqual(report.tables.replayed, ['t'])

    const record = readFileSync(path.join(folder.dir, 'record.txt'), 'utf8')
    assert.match(record, /=== mariadb-dump|=== mysqldump/)
    assert.match(record, /=== mariadb pid|=== mysql pid/)
    assert.ok(!record.includes(password), 'the password appears in a recorded argument list or environment')
    assert.ok(!record.includes(encodeURIComponent(password)))
    const files = [...record.matchAll(/^optionfile: (\S+) mode (\d+) fd3 (.*)$/gm)]
    assert.ok(files.length >= 2, record)
    for (const [, file, mode, fd3] of files) {
      assert.equal(file, '/dev/fd/3')
      assert.equal(mode, '600')
      // Unlinked before the password was written into it: no name anyone could open.
      assert.match(fd3!, / \(deleted\)$/)
      assert.equal(existsSync(fd3!.replace(/ \(deleted\)$/, '')), false)
    }
    for (const line of record.split('\n').filter((l) => l.startsWith('cmdline: '))) assert.ok(!line.includes(password))

    const manifest = readFileSync(backup.manifestPath, 'utf8')
    assert.ok(!manifest.includes(password))
    assert.ok(!logs.join('\n').includes(password))
  })
})
