import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from '../support/cli.js'

test("the README's Quick start commands are scripts the package has", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1))
  const commands = [...quickStart.matchAll(/^npm (?:run )?([\w:-]+)$/gm)].map((m) => m[1]!)
  assert.deepEqual(commands, ['demo', 'test'])
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
  for (const name of commands) assert.ok(scripts[name], `README says npm ${name === 'test' ? 'test' : `run ${name}`}, package.json has no "${name}" script`)
  // CI runs what the README says the tests are.
  assert.match(readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), /npm test/)
})
