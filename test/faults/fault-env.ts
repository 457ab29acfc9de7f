import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeProject, spawnCli, finished, waitForFile } from '../support/cli.js'
import { createTestDatabase } from '../support/mysql.js'
import { readFingerprintAt } from '../../src/steps/migrate/database.js'

const MIGRATE = fileURLToPath(new URL('./fixtures/migrate.mjs', import.meta.url))

/** The release's migration, as `db:push` would apply it: safe to apply twice. */
export const MIGRATION = "ALTER TABLE order_lines ADD COLUMN IF NOT EXISTS discount_cents INT NOT NULL DEFAULT 0;\nUPDATE orders SET status = 'migrated' WHERE id % 2 = 0;\n"

/**
 * A shell fragment that (once: it removes its trigger) marks `at-<name>` and then waits while
 * `hold` exists: a test kills rollout at that point, and the command, in a process group of its
 * own, lives on and finishes once the test removes `hold`.
 */
export const hangOnce = (name: string) => `if [ -e hang-${name} ]; then rm hang-${name}; touch at-${name}; while [ -e hold ]; do sleep 0.05; done; fi`

export interface DatabaseState {
  schema: string
  checksums: Record<string, string>
  rows: Record<string, number>
}

export interface FaultEnv {
  dir: string
  url: string
  /** The database as the run found it. */
  before: DatabaseState
  /** The same database with the release's migration applied: what a finished rollout leaves. */
  rolledOut: DatabaseState
  live(): string
  snapshot(): Promise<DatabaseState>
  drop(): Promise<void>
}

async function seed(url: string, bulk = 0): Promise<void> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true })
  try {
    // Padded rows make a dump or a replay last long enough to be interrupted in the middle.
    if (bulk) await conn.query(`CREATE TABLE audit_log (id INT PRIMARY KEY, entry CHAR(200) NOT NULL); INSERT INTO audit_log SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_${bulk}`)
    await conn.query(`
      CREATE TABLE clients (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL);
      CREATE TABLE orders (id INT PRIMARY KEY, client_id INT NOT NULL, status VARCHAR(20) NOT NULL, amount_cents INT NOT NULL, KEY (client_id));
      CREATE TABLE order_lines (id INT PRIMARY KEY, order_id INT NOT NULL, qty INT NOT NULL, price_cents INT NOT NULL, KEY (order_id));
      INSERT INTO clients SELECT seq, CONCAT('client ', seq) FROM seq_1_to_200;
      INSERT INTO orders SELECT seq, 1 + seq % 200, 'open', seq * 7 % 10000 FROM seq_1_to_2000;
      INSERT INTO order_lines SELECT seq, 1 + seq % 2000, 1 + seq % 5, seq * 13 % 5000 FROM seq_1_to_6000;`)
  } finally {
    await conn.end()
  }
}

export async function readState(url: string): Promise<DatabaseState> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection(url)
  try {
    const [tables] = await conn.query<any[]>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1')
    const names = tables.map((r) => String(r.t))
    const [sums] = await conn.query<any[]>(`CHECKSUM TABLE ${names.map((n) => `\`${n}\``).join(', ')} EXTENDED`)
    const checksums = Object.fromEntries(sums.map((r) => [String(r.Table).split('.').pop()!, String(r.Checksum)]))
    const rows: Record<string, number> = {}
    for (const n of names) rows[n] = Number(((await conn.query<any[]>(`SELECT COUNT(*) AS n FROM \`${n}\``))[0])[0].n)
    return { schema: (await readFingerprintAt(url)).hash, checksums, rows }
  } finally {
    await conn.end()
  }
}

export function sameState(a: DatabaseState, b: DatabaseState): boolean {
  return a.schema === b.schema && JSON.stringify(a.checksums) === JSON.stringify(b.checksums)
}

/** Rows the run found that are no longer there. */
export function rowsLost(before: DatabaseState, now: DatabaseState): number {
  return Object.entries(before.rows).reduce((n, [t, count]) => n + Math.max(0, count - (now.rows[t] ?? 0)), 0)
}

/**
 * A staging environment on this machine: a real database (seeded), the `command` provider keeping
 * the live release in a file (`d-v1` live at first), the real backup and migrate steps, and a smoke
 * test that fails on release v3-broken. `hangs` names the points that hang once (see hangOnce);
 * `server` puts the database on another server than the tests' (a private one a test may kill);
 * `bulk` adds a table of that many padded rows.
 */
export async function faultEnv(opts: { release: string; hangs?: string[]; smoke?: boolean; server?: string; bulk?: number }): Promise<FaultEnv> {
  const db = await createTestDatabase('fault', opts.server)
  const reference = await createTestDatabase('faultref', opts.server)
  await Promise.all([seed(db.url, opts.bulk), seed(reference.url, opts.bulk)])
  const mysql = await import('mysql2/promise')
  const ref = await mysql.createConnection({ uri: reference.url, multipleStatements: true })
  await ref.query(MIGRATION)
  await ref.end()
  const [before, rolledOut] = await Promise.all([readState(db.url), readState(reference.url)])
  await reference.drop()

  const smoke = opts.smoke === false ? [] : [{ id: 'smoke', phase: 'smoke', kind: 'command', options: { command: 'test "$(cat live)" != d-v3-broken' } }]
  const dir = makeProject({
    environments: {
      staging: {
        url: 'http://127.0.0.1:9',
        defaults: false,
        release: opts.release,
        database: { url: db.url },
        backups: { dir: 'backups', verify: 'quick' },
        migrate: { command: `node ${MIGRATE} migration.sql` },
        provider: {
          kind: 'command',
          current: 'cat live',
          deploy: `echo "d-$ROLLOUT_RELEASE" > live; ${hangOnce('deploy')}; echo "d-$ROLLOUT_RELEASE"`,
          rollback: `echo {previousDeploymentId} > live; ${hangOnce('rollback')}`,
        },
        add: [
          { id: 'backup', phase: 'backup', kind: 'backup' },
          { id: 'migrate', phase: 'migrate', kind: 'migrate' },
          { id: 'deploy', phase: 'deploy', kind: 'deploy' },
          ...smoke,
          // The runbook's last phase: a kill right after the smoke tests lands before the run ends.
          { id: 'deployment-log', phase: 'post', kind: 'command', options: { command: 'sleep 1; echo logged >> deployments.log' } },
        ],
      },
    },
  }, { live: 'd-v1\n', 'migration.sql': MIGRATION, hold: '', ...Object.fromEntries((opts.hangs ?? []).map((h) => [`hang-${h}`, ''])) })
  return {
    dir,
    url: db.url,
    before,
    rolledOut,
    live: () => readFileSync(path.join(dir, 'live'), 'utf8').trim(),
    snapshot: () => readState(db.url),
    drop: db.drop,
  }
}

export type KillPoint = { file: string } | { event: (e: Record<string, any>) => boolean; delayMs?: number }

/**
 * Starts `rollout run staging` and kill -9s it at the point: when a hanging command marks its file,
 * or right after the run's event stream (which the record commits first) shows the event. Returns
 * the run id; throws when the run ended before the point was reached.
 */
export async function runAndKill(dir: string, point: KillPoint): Promise<string> {
  const child = spawnCli(['--json', 'run', 'staging'], { cwd: dir })
  let runId = ''
  let seen = 0
  const reached = new Promise<void>((resolve, reject) => {
    child.on('close', () => reject(new Error(`the run ended before the kill point: ${child.output.stdout.slice(-2000)}${child.output.stderr}`)))
    if ('file' in point) {
      waitForFile(path.join(dir, point.file), 60_000).then(resolve, reject)
      return
    }
    child.stdout!.on('data', () => {
      const lines = child.output.stdout.split('\n').slice(0, -1)
      for (; seen < lines.length; seen++) {
        const event = JSON.parse(lines[seen]!) as Record<string, any>
        if (!runId) runId = event.runId
        if (point.event(event)) setTimeout(resolve, point.delayMs ?? 0)
      }
    })
  })
  await reached
  child.kill('SIGKILL')
  await finished(child)
  if (!runId) runId = JSON.parse(child.output.stdout.split('\n')[0]!).runId
  return runId
}

/** Lets every hanging command the kill left behind finish. */
export function release(dir: string): void {
  rmSync(path.join(dir, 'hold'), { force: true })
}
