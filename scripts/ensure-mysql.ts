/**
 * Prints the URL of a MySQL/MariaDB server for the tests (see src/sandbox/mysql-server.ts).
 *   node --import tsx scripts/ensure-mysql.ts [--state-dir DIR]   → mysql://root@127.0.0.1:PORT
 *   node --import tsx scripts/ensure-mysql.ts --state-dir DIR --stop   stops a private server there
 */
import { ensureMysqlServer, stopPrivateMysqlServer } from '../src/sandbox/mysql-server.js'

const args = process.argv.slice(2)
const at = args.indexOf('--state-dir')
const stateDir = at >= 0 && args[at + 1] ? args[at + 1]! : '.rollout/mysql'
const log = (line: string) => process.stderr.write(`[mysql] ${line}\n`)

try {
  if (args.includes('--stop')) {
    log((await stopPrivateMysqlServer(stateDir)) ? 'stopped the private server' : 'no private server was running there')
  } else {
    const server = await ensureMysqlServer({ stateDir, log })
    process.stdout.write(server.url + '\n')
  }
} catch (error) {
  process.stderr.write(`[mysql] ${(error as Error).message}\n`)
  process.exitCode = 1
}
