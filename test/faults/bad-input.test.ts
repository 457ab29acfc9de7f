import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { makeProject, runCli, stepsOnly } from '../support/cli.js'

/**
 * A corpus of user mistakes, each run through the real CLI: a mistake must stop the CLI with the
 * documented exit code, name the key or input at fault, and show no stack trace (that needs
 * --verbose). Most are `rollout plan staging` with one thing wrong in an otherwise valid config.
 */
interface Case {
  name: string
  /** The config as data, or the file's source text. */
  config?: unknown
  source?: string
  args?: string[]
  code?: number
  expect: RegExp
  files?: Record<string, string>
}

const URL = 'https://s.example'
// A provider, so the deploy step of the default plan has one: each case breaks one thing only.
const env = (extra: Record<string, unknown>) => ({ environments: { staging: { url: URL, provider: { kind: 'command', deploy: './deploy.sh {release}' }, ...extra } } })
const add = (step: Record<string, unknown>) => env({ add: [{ id: 'x', phase: 'smoke', ...step }] })
const kind = (k: string, options: Record<string, unknown>) => add({ kind: k, options })
const provider = (p: Record<string, unknown>) => env({ provider: p })
const notify = (n: Record<string, unknown>) => env({ notify: [n] })
const SIMPLE = stepsOnly([{ id: 'ok', phase: 'preflight', kind: 'command', options: { command: 'true' } }])
const KEY = 'environments\\.staging'
const k = (rest: string) => new RegExp(`${KEY}${rest}`)

const cases: Case[] = [
  // The file itself
  { name: 'no config file', source: '', args: ['plan', 'staging'], expect: /no rollout\.config\.ts/, files: { __remove: '' } },
  { name: 'config throws', source: `throw new Error('boom')`, expect: /could not be loaded.*boom/ },
  { name: 'syntax error', source: `export default { environments: { staging: { url: 'x' } }`, expect: /rollout\.config\.mjs could not be loaded/ },
  { name: 'named export only', source: `export const config = {}`, expect: /has no default export/ },
  { name: 'default export is a string', source: `export default 'staging'`, expect: /expected `export default defineConfig/ },
  { name: 'default export is null', source: `export default null`, expect: /rollout\.config\.mjs/ },
  { name: '--config file missing', config: SIMPLE, args: ['plan', 'staging', '--config', 'nope.mjs'], expect: /config file not found: .*nope\.mjs/ },
  { name: 'unset env() variable', source: `import { env } from 'rollout'\nexport default { environments: { staging: { url: env('NOT_SET_ANYWHERE_X') } } }`, expect: /environments\.staging\.url: environment variable NOT_SET_ANYWHERE_X is not set/ },
  // Top level
  { name: 'no environments', config: { environments: {} }, expect: /unknown environment "staging".*\n.*the config defines no environments/ },
  { name: 'environments is an array', config: { environments: [] }, expect: /environments: expected an object of environments by name .*got an array/ },
  { name: 'unknown top-level key', config: { ...env({}), enviroments: {} }, expect: /unknown key "enviroments" \(valid keys: contacts, environments, stateDir, store, storage, evidence, kinds\)/ },
  // The shared store
  { name: 'store of an unknown kind', config: { ...env({}), store: 'redis://cache/0' }, expect: /store: expected sqlite:, postgres:\/\/ or mysql:\/\/, got redis:/ },
  { name: 'store URL without a database', config: { ...env({}), store: 'postgres://rollout@db.internal' }, expect: /store: the URL names no database \(expected postgres:\/\/user@host\/<database>\)/ },
  { name: 'store table prefix not a name', config: { ...env({}), store: { url: 'mysql://rollout@db/deploys', prefix: 'team-1' } }, expect: /store: prefix: expected letters, digits and _/ },
  { name: 'store is a number', config: { ...env({}), store: 5432 }, expect: /store: .*expected/i },
  // Object storage
  { name: 'evidence a local path', config: { ...env({}), evidence: '/var/evidence' }, expect: /evidence: expected s3:\/\/bucket\/prefix/ },
  { name: 'storage endpoint not http', config: { ...env({}), storage: { endpoint: 'ftp://minio.internal' } }, expect: /storage\.endpoint: expected an http:\/\/ or https:\/\/ address/ },
  { name: 'storage with an unknown key', config: { ...env({}), storage: { secretAccessKey: 'x' } }, expect: /unknown key "secretAccessKey" \(valid keys: endpoint, region, forcePathStyle\)/ },
  // A team's own step kinds
  { name: 'kinds not a list', config: { ...env({}), kinds: 'feature-flag' }, expect: /kinds: expected array/i },
  { name: 'a kind without run', config: { ...env({}), kinds: [{ kind: 'flag', description: 'sets a flag' }] }, expect: /kinds\[0\]\.run: expected a function/ },
  { name: 'a kind with a bad name', config: { ...env({}), kinds: [{ kind: 'Flag Switch', description: 'sets a flag', run: 'x' }] }, expect: /kinds\[0\]\.kind: expected a name of lower-case letters/ },
  { name: 'a kind named like a built-in one', source: `export default { kinds: [{ kind: 'backup', description: 'mine', run: async () => ({ status: 'passed', summary: '' }) }], environments: { staging: { url: 'https://s.example', provider: { kind: 'command', deploy: './deploy.sh {release}' } } } }`, expect: /kinds\[0\]\.kind: "backup" is a built-in kind/ },
  { name: 'contacts unknown key', config: { ...env({}), contacts: { pager: 'x' } }, expect: /contacts: unknown key "pager" \(valid keys: deployer, onCall, database, escalation\)/ },
  { name: 'upper-case environment name', config: { environments: { Staging: { url: URL } } }, args: ['plan', 'Staging'], expect: /environments\.Staging: expected an environment name/ },
  { name: 'unknown environment', config: SIMPLE, args: ['plan', 'production'], expect: /unknown environment "production".*\n.*defined there: staging/ },
  // Environment keys
  { name: 'missing url', config: { environments: { staging: {} } }, expect: k('\\.url: missing; expected string') },
  { name: 'url without scheme', config: env({ url: 'staging.example' }), expect: k('\\.url: expected an http:// or https:// URL') },
  { name: 'unknown environment key', config: env({ procedures: [] }), expect: k(': unknown key "procedures" \\(valid keys: url, database') },
  { name: 'database url not mysql', config: env({ database: { url: 'postgres://u@h/db' } }), expect: k('\\.database\\.url: expected a URL like mysql://') },
  { name: 'database url without database', config: env({ database: { url: 'mysql://u@h:3306' } }), expect: k('\\.database\\.url: expected a URL like mysql://') },
  { name: 'database missing url', config: env({ database: {} }), expect: k('\\.database\\.url: missing') },
  { name: 'release a number', config: env({ release: 2 }), expect: k('\\.release: expected string, got number') },
  { name: 'resolve to host name', config: env({ resolve: { 's.example': 'localhost' } }), expect: k('\\.resolve\\["s\\.example"\\]: expected an IP address') },
  { name: 'resolve is a list', config: env({ resolve: ['127.0.0.1'] }), expect: k('\\.resolve: expected record, got an array') },
  { name: 'ca empty', config: env({ ca: '' }), expect: k('\\.ca: expected a non-empty string') },
  { name: 'defaults a string', config: env({ defaults: 'no' }), expect: k('\\.defaults: expected boolean, got a string') },
  // backups
  { name: 'backups unknown key', config: env({ backups: { retention: 5 } }), expect: k('\\.backups: unknown key "retention" \\(valid keys: dir, keep, keepDays, maxAge, verify, encryptionKeyEnv, compression\\)') },
  { name: 'backups compression lz4', config: env({ backups: { compression: 'lz4' } }), expect: k('\\.backups\\.compression: expected one of "auto", "zstd", "gzip", got "lz4"') },
  { name: 'backups keep 0', config: env({ backups: { keep: 0 } }), expect: k('\\.backups\\.keep: expected a number >= 1, got 0') },
  { name: 'backups keepDays negative', config: env({ backups: { keepDays: -3 } }), expect: k('\\.backups\\.keepDays: expected a number > 0, got -3') },
  { name: 'backups maxAge a word', config: env({ backups: { maxAge: 'a day' } }), expect: k('\\.backups\\.maxAge: expected a duration') },
  { name: 'backups encryptionKeyEnv with spaces', config: env({ backups: { encryptionKeyEnv: 'my key' } }), expect: k('\\.backups\\.encryptionKeyEnv: expected an environment variable name') },
  // health, hostGuard, preflight, migrate
  { name: 'health path without slash', config: env({ health: { paths: ['api/health'] } }), expect: k('\\.health\\.paths\\[0\\]: ') },
  { name: 'health paths empty', config: env({ health: { paths: [] } }), expect: k('\\.health\\.paths: expected at least 1 item') },
  { name: 'hostGuard allowedHosts empty string', config: env({ hostGuard: { allowedHosts: [''] } }), expect: k('\\.hostGuard\\.allowedHosts\\[0\\]: expected a non-empty string') },
  { name: 'preflight unitTests a list', config: env({ preflight: { unitTests: ['pnpm', 'test'] } }), expect: k('\\.preflight\\.unitTests: expected string, got an array') },
  { name: 'migrate command empty', config: env({ migrate: { command: '' } }), expect: k('\\.migrate\\.command: expected a non-empty string') },
  { name: 'migrate restore sometimes', config: env({ migrate: { restore: 'sometimes' } }), expect: k('\\.migrate\\.restore: expected one of "auto", "always", "never"') },
  // monitor
  { name: 'monitor window 0s', config: env({ monitor: { window: '0s' } }), expect: k('\\.monitor\\.window: expected a duration longer than 0') },
  { name: 'monitor window words', config: env({ monitor: { window: 'half an hour' } }), expect: k('\\.monitor\\.window: expected a duration') },
  { name: 'monitor interval often', config: env({ monitor: { interval: 'often' } }), expect: k('\\.monitor\\.interval: expected a duration') },
  { name: 'monitor unknown key', config: env({ monitor: { windw: '5m' } }), expect: k('\\.monitor: unknown key "windw" \\(valid keys: window, detach, interval, onBreach, health, errors\\)') },
  { name: 'monitor onBreach page', config: env({ monitor: { onBreach: 'page' } }), expect: k('\\.monitor\\.onBreach: expected one of "rollback", "alert"') },
  { name: 'monitor errors source sentry', config: env({ monitor: { errors: { source: 'sentry' } } }), expect: k('\\.monitor\\.errors\\.source: expected one of "logs", "prometheus", "metric", "none", got "sentry"') },
  { name: 'monitor prometheus without query', config: env({ monitor: { errors: { source: 'prometheus', url: 'http://p:9090' } } }), expect: k('\\.monitor\\.errors\\.query: missing') },
  { name: 'monitor prometheus url not http', config: env({ monitor: { errors: { source: 'prometheus', url: 'p:9090', query: 'x' } } }), expect: k('\\.monitor\\.errors\\.url: expected the Prometheus base URL') },
  { name: 'monitor logs pattern bad regex', config: env({ monitor: { errors: { source: 'logs', pattern: '(' } } }), expect: k('\\.monitor\\.errors\\.pattern: expected a valid regular expression') },
  { name: 'monitor maxPerMinute negative', config: env({ monitor: { errors: { maxPerMinute: -1 } } }), expect: k('\\.monitor\\.errors\\.maxPerMinute: expected a number >= 0') },
  { name: 'monitor health failuresInRow 0', config: env({ monitor: { health: { failuresInRow: 0 } } }), expect: k('\\.monitor\\.health\\.failuresInRow: expected a number >= 1') },
  { name: 'monitor step window 0s', config: env({ steps: { monitor: { options: { window: '0s' } } } }), expect: k('\\.steps\\.monitor\\.options: window: expected a duration longer than 0') },
  // lock
  { name: 'lock lease 0s', config: env({ lock: { lease: '0s' } }), expect: k('\\.lock\\.lease: expected at least "5s"') },
  { name: 'lock unknown key', config: env({ lock: { timeout: '1m' } }), expect: k('\\.lock: unknown key "timeout" \\(valid keys: lease\\)') },
  // logs and smoke sections
  { name: 'logs unknown key', config: env({ logs: { lvl: 'error' } }), expect: k('\\.logs: unknown key "lvl"') },
  { name: 'logs pattern bad regex', config: env({ logs: { pattern: '[' } }), expect: k('\\.logs\\.pattern: expected a valid regular expression') },
  { name: 'logs ignore bad regex', config: env({ logs: { ignore: ['*deprecated'] } }), expect: k('\\.logs\\.ignore\\[0\\]: expected a valid regular expression') },
  { name: 'smoke trpc unknown key', config: env({ smoke: { trpc: { endpiont: '/trpc' } } }), expect: k('\\.smoke\\.trpc: unknown key "endpiont"') },
  // steps overrides
  { name: 'override of a step not in the plan', config: env({ steps: { 'no-such-step': false } }), expect: k('\\.steps\\.no-such-step: no step "no-such-step" in the default plan') },
  { name: 'override true instead of false', config: env({ steps: { reviews: true } }), expect: k('\\.steps\\.reviews: expected false or object, got boolean') },
  { name: 'override unknown key', config: env({ steps: { reviews: { gaet: 'warning' } } }), expect: k('\\.steps\\.reviews: unknown key "gaet" \\(valid keys: title, gate') },
  { name: 'override gate soft', config: env({ steps: { reviews: { gate: 'soft' } } }), expect: k('\\.steps\\.reviews\\.gate: expected one of "blocking", "warning", got "soft"') },
  { name: 'override timeout words', config: env({ steps: { reviews: { timeout: 'ten minutes' } } }), expect: k('\\.steps\\.reviews\\.timeout: expected a duration') },
  { name: 'override retries too many', config: env({ steps: { reviews: { retries: 50 } } }), expect: k('\\.steps\\.reviews\\.retries: expected a number <= 20, got 50') },
  { name: 'override after unknown step', config: env({ steps: { reviews: { after: ['linting'] } } }), expect: k('\\.steps\\.reviews\\.after: no step "linting" in the plan') },
  { name: 'override after other phase', config: env({ steps: { reviews: { after: ['backup'] } } }), expect: k('\\.steps\\.reviews\\.after: "backup" is in phase backup, not preflight') },
  { name: 'override options unknown key', config: env({ steps: { http: { options: { expectStatuss: 200 } } } }), expect: k('\\.steps\\.http\\.options: unknown key "expectStatuss"') },
  { name: 'steps is a list', config: env({ steps: ['reviews'] }), expect: k('\\.steps: expected record, got an array') },
  // added steps
  { name: 'add not a list', config: env({ add: { id: 'x' } }), expect: k('\\.add: expected array, got object') },
  { name: 'add without id', config: env({ add: [{ phase: 'smoke', kind: 'command', options: { command: 'true' } }] }), expect: k('\\.add\\[0\\]\\.id: missing; expected string') },
  { name: 'add id upper-case', config: add({ id: 'Check', kind: 'command', options: { command: 'true' } }), expect: k('\\.add\\[0\\]\\.id: expected an id of lower-case letters') },
  { name: 'add duplicate id of a default step', config: add({ id: 'health', kind: 'command', options: { command: 'true' } }), expect: k('\\.add\\[0\\]\\.id: a step "health" already exists') },
  { name: 'add same id twice', config: env({ add: [{ id: 'a', phase: 'smoke', kind: 'command', options: { command: 'true' } }, { id: 'a', phase: 'smoke', kind: 'command', options: { command: 'true' } }] }), expect: k('\\.add\\[1\\]\\.id: a step "a" already exists') },
  { name: 'add unknown phase', config: env({ add: [{ id: 'x', phase: 'qa', kind: 'command', options: { command: 'true' } }] }), expect: k('\\.add\\[0\\]\\.phase: expected one of "preflight"') },
  { name: 'add without phase', config: env({ add: [{ id: 'x', kind: 'command', options: { command: 'true' } }] }), expect: k('\\.add\\[0\\]\\.phase: missing; expected one of "preflight"') },
  { name: 'add unknown kind', config: add({ kind: 'magic' }), expect: k('\\.add\\[0\\]\\.kind: unknown step kind "magic" \\(known kinds: ') },
  { name: 'add empty kind', config: add({ kind: '' }), expect: k('\\.add\\[0\\]\\.kind: expected a non-empty string') },
  { name: 'add unknown key', config: add({ kind: 'command', command: 'true' }), expect: k('\\.add\\[0\\]: unknown key "command" \\(valid keys: id, phase, kind, title') },
  { name: 'add after unknown step', config: add({ kind: 'command', after: ['nope'], options: { command: 'true' } }), expect: k('\\.add\\[0\\]\\.after: no step "nope" in the plan') },
  { name: 'add steps wait in a cycle', config: env({ defaults: false, add: [{ id: 'a', phase: 'smoke', kind: 'command', after: ['b'], options: { command: 'true' } }, { id: 'b', phase: 'smoke', kind: 'command', after: ['a'], options: { command: 'true' } }] }), expect: /steps wait for each other in a cycle: a → b → a/ },
  { name: 'add changesEnvironment a string', config: add({ kind: 'command', changesEnvironment: 'yes', options: { command: 'true' } }), expect: k('\\.add\\[0\\]\\.changesEnvironment: expected boolean') },
  // step options by kind
  { name: 'command without command', config: kind('command', {}), expect: k('\\.add\\[0\\]\\.options: command: missing; expected string') },
  { name: 'command empty command', config: kind('command', { command: '' }), expect: k('\\.add\\[0\\]\\.options: command: expected a non-empty string') },
  { name: 'command expect bad regex', config: kind('command', { command: 'true', expect: '(' }), expect: k('\\.add\\[0\\]\\.options: expect: expected a valid regular expression') },
  { name: 'command unknown option', config: kind('command', { command: 'true', shell: 'bash' }), expect: k('\\.add\\[0\\]\\.options: unknown key "shell" \\(valid keys: command, env, expect, cwd, undo\\)') },
  { name: 'http url bad', config: kind('http', { url: 'ht!tp://::' }), expect: k('\\.add\\[0\\]\\.options: url: expected a path such as') },
  { name: 'http url with bad host', config: kind('http', { url: 'http://exa mple.com/' }), expect: k('\\.add\\[0\\]\\.options: url: expected a path such as') },
  { name: 'http expectBody bad regex', config: kind('http', { url: '/', expectBody: '*ok' }), expect: k('\\.add\\[0\\]\\.options: expectBody: expected a valid regular expression') },
  { name: 'http expectStatus a string', config: kind('http', { url: '/', expectStatus: '200' }), expect: k('\\.add\\[0\\]\\.options: expectStatus: expected number or array, got a string') },
  { name: 'http timeoutMs zero', config: kind('http', { url: '/', timeoutMs: 0 }), expect: k('\\.add\\[0\\]\\.options: timeoutMs: expected a number > 0, got 0') },
  // providers, per kind
  { name: 'no provider while the plan deploys', config: { environments: { staging: { url: URL } } }, expect: k('\\.provider: missing; the deploy step deploys through it') },
  { name: 'provider unknown kind', config: provider({ kind: 'heroku' }), expect: k('\\.provider\\.kind: unknown provider "heroku" \\(known providers: command, digitalocean, local, railway, vercel\\)') },
  { name: 'provider without kind', config: provider({ deploy: 'x' }), expect: k('\\.provider\\.kind: missing; expected string') },
  { name: 'local without start', config: provider({ kind: 'local', port: 8443 }), expect: k('\\.provider\\.start: missing; expected string') },
  { name: 'local without port', config: provider({ kind: 'local', start: 'node s.js' }), expect: k('\\.provider\\.port: missing; expected number') },
  { name: 'local port a word', config: provider({ kind: 'local', start: 'node s.js', port: 'eighty' }), expect: k('\\.provider\\.port: expected number, got a string') },
  { name: 'local port too big', config: provider({ kind: 'local', start: 'node s.js', port: 99999 }), expect: k('\\.provider\\.port: expected a number <= 65535, got 99999') },
  { name: 'local health https a string', config: provider({ kind: 'local', start: 'node s.js', port: 8443, health: { https: 'yes' } }), expect: k('\\.provider\\.health\\.https: expected boolean') },
  { name: 'local stopTimeout words', config: provider({ kind: 'local', start: 'node s.js', port: 8443, stopTimeout: 'soon' }), expect: k('\\.provider\\.stopTimeout: expected a duration') },
  { name: 'local unknown key', config: provider({ kind: 'local', start: 'node s.js', port: 8443, restart: true }), expect: k('\\.provider: unknown key "restart" \\(valid keys: kind, root, source, start, port') },
  { name: 'command provider without deploy', config: provider({ kind: 'command' }), expect: k('\\.provider\\.deploy: missing; expected string') },
  { name: 'command provider misspelt rollback', config: provider({ kind: 'command', deploy: 'x', rollbak: 'y' }), expect: k('\\.provider: unknown key "rollbak"') },
  { name: 'command provider pollInterval words', config: provider({ kind: 'command', deploy: 'x', pollInterval: 'a bit' }), expect: k('\\.provider\\.pollInterval: expected a duration') },
  { name: 'railway project without environment', config: provider({ kind: 'railway', project: 'p' }), expect: k('\\.provider\\.environment: required when provider\\.project is set') },
  { name: 'railway apiUrl not a URL', config: provider({ kind: 'railway', apiUrl: 'backboard' }), expect: k('\\.provider\\.apiUrl: ') },
  { name: 'vercel prebuilt a string', config: provider({ kind: 'vercel', prebuilt: 'yes' }), expect: k('\\.provider\\.prebuilt: expected boolean') },
  { name: 'digitalocean without app', config: provider({ kind: 'digitalocean' }), expect: k('\\.provider\\.app: missing; expected string') },
  // notify channels
  { name: 'notify unknown channel', config: notify({ kind: 'pager' }), expect: k('\\.notify\\[0\\]\\.kind: expected one of "console", "slack", "webhook", "email", got "pager"') },
  { name: 'notify without kind', config: notify({ webhook: 'https://h' }), expect: k('\\.notify\\[0\\]\\.kind: ') },
  { name: 'slack without webhook', config: notify({ kind: 'slack' }), expect: k('\\.notify\\[0\\]\\.webhook: ') },
  { name: 'email without to', config: notify({ kind: 'email', host: 'smtp.example', from: 'a@example.test' }), expect: k('\\.notify\\[0\\]\\.to: ') },
  { name: 'webhook unknown key', config: notify({ kind: 'webhook', url: 'https://h.example', secrett: 'x' }), expect: k('\\.notify\\[0\\]: unknown key "secrett"') },
  // Command-line arguments
  { name: 'unknown command', config: SIMPLE, args: ['deploy-now'], expect: /unknown command 'deploy-now'/ },
  { name: 'unknown global option', config: SIMPLE, args: ['--colour', 'plan', 'staging'], expect: /unknown option '--colour'/ },
  { name: 'plan without env', config: SIMPLE, args: ['plan'], expect: /missing required argument 'env'/ },
  { name: 'plan with two envs', config: SIMPLE, args: ['plan', 'staging', 'production'], expect: /too many arguments/ },
  { name: 'plan unknown phase', config: SIMPLE, args: ['plan', 'staging', '--phase', 'qa'], expect: /unknown phase "qa"/ },
  { name: 'check phase monitor', config: SIMPLE, args: ['check', 'staging', '--phase', 'monitor'], expect: /--phase <phase>.*'monitor' is invalid/ },
  { name: 'run empty release', config: SIMPLE, args: ['run', 'staging', '--release', ''], expect: /--release <id>.*expected a non-empty value/ },
  { name: 'run monitor words', config: SIMPLE, args: ['run', 'staging', '--monitor', 'a while'], expect: /--monitor: expected a duration/ },
  { name: 'run monitor and no-monitor', config: SIMPLE, args: ['run', 'staging', '--no-monitor', '--monitor', '2m'], expect: /--monitor and --no-monitor contradict each other/ },
  { name: 'run option without value', config: SIMPLE, args: ['run', 'staging', '--release'], expect: /option '--release <id>' argument missing/ },
  { name: 'history limit abc', config: SIMPLE, args: ['history', 'staging', '--limit', 'abc'], expect: /--limit <n>.*expected a positive whole number/ },
  { name: 'unlock without --force', config: SIMPLE, args: ['unlock', 'staging'], expect: /unlock needs --force/ },
  { name: 'status with no record', config: SIMPLE, args: ['status'], expect: /no run record in .*\.rollout yet/ },
  { name: 'resume unknown run', config: SIMPLE, args: ['resume', 'nope'], expect: /no run record|no run "nope"/ },
  { name: 'restore unknown environment', config: SIMPLE, args: ['restore', 'production', 'latest', '--yes'], expect: /unknown environment "production"/ },
  { name: 'restore without backup argument', config: SIMPLE, args: ['restore', 'staging'], expect: /missing required argument 'backup'/ },
  { name: 'baseline without subcommand argument', config: SIMPLE, args: ['baseline', 'update'], expect: /missing required argument 'env'/ },
]

/** Runs one case in a fresh project. */
async function runCase(c: Case): Promise<string[]> {
  const dir = makeProject(c.config ?? {}, c.files && !('__remove' in c.files) ? c.files : {})
  if (c.source !== undefined) writeFileSync(path.join(dir, 'rollout.config.mjs'), c.source)
  if (c.files && '__remove' in c.files) rmSync(path.join(dir, 'rollout.config.mjs'))
  const result = await runCli(c.args ?? ['plan', 'staging'], { cwd: dir })
  const problems: string[] = []
  const want = c.code ?? 2
  if (result.code !== want) problems.push(`exit ${result.code}, expected ${want}`)
  if (!c.expect.test(result.stderr)) problems.push(`stderr does not match ${c.expect}`)
  if (/\n\s+at /.test(result.stderr)) problems.push('stack trace without --verbose')
  return problems.length ? [`${c.name}: ${problems.join('; ')}\n  stderr: ${result.stderr.trim().split('\n').slice(0, 4).join('\n          ')}`] : []
}

/** At most `limit` CLI processes at once: the machine is shared. */
async function inPool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R[]>): Promise<R[]> {
  const out: R[] = []
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) out.push(...(await work(items[next++]!)))
  }))
  return out
}

test(`bad input corpus: ${cases.length} mistakes, each exit 2 with the key named and no stack trace`, async () => {
  assert.ok(cases.length >= 100, `only ${cases.length} cases`)
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names must be unique')
  const failures = await inPool(cases, 4, runCase)
  assert.deepEqual(failures, [], `\n${failures.join('\n')}`)
})
