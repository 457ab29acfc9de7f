/**
 * Prints the URL of a PostgreSQL server for the shared-store tests (see src/sandbox/postgres-server.ts).
 *   node --import tsx scripts/ensure-postgres.ts [--state-dir DIR]   → postgres://postgres@127.0.0.1:PORT/postgres
 *   node --import tsx scripts/ensure-postgres.ts --state-dir DIR --private   a private server even when 5432 answers
 *   node --import tsx scripts/ensure-postgres.ts --state-dir DIR --stop   stops a private server there
 */
import { ensurePostgresServer, stopPrivatePostgresServer } from '../src/sandbox/postgres-server.js'

const args = process.argv.slice(2)
const at = args.indexOf('--state-dir')
const stateDir = at >= 0 && args[at + 1] ? args[at + 1]! : '.rollout/postgres'
const log = (line: string) => process.stderr.write(`[postgres] ${line}\n`)

try {
  if (args.includes('--stop')) {
    log((await stopPrivatePostgresServer(stateDir)) ? 'stopped the private server' : 'no private server was running there')
  } else {
    process.stdout.write((await ensurePostgresServer({ stateDir, log, tryDefaultPort: !args.includes('--private') })).url + '\n')
  }
} catch (error) {
  process.stderr.write(`[postgres] ${(error as Error).message}\n`)
  process.exitCode = 1
}
