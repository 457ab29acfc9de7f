import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { REFERENCE_FILE, renderReference } from '../../scripts/reference.js'
import { builtInKinds } from '../../src/steps/registry.js'
import { knownProviderKinds } from '../../src/adapters/providers/index.js'

test('docs/reference.md is what the schemas generate now', () => {
  const written = readFileSync(REFERENCE_FILE, 'utf8')
  const fresh = renderReference()
  if (written !== fresh) {
    const a = written.split('\n')
    const b = fresh.split('\n')
    const line = a.findIndex((l, i) => l !== b[i])
    assert.fail(`docs/reference.md is stale (first difference at line ${line + 1}: ${JSON.stringify(b[line] ?? '')}); run \`npm run reference\` and commit the result`)
  }
})

test('the reference covers every step kind, every provider and the keys the README promises', () => {
  const text = renderReference()
  for (const kind of builtInKinds.names()) assert.match(text, new RegExp(`^### \`${kind}\`$`, 'm'), `step kind ${kind}`)
  for (const kind of knownProviderKinds()) assert.match(text, new RegExp(`^### Provider \`${kind}\`$`, 'm'), `provider ${kind}`)
  // Defaults are read from the schemas, durations written as a user writes them.
  assert.match(text, /\| `backups.maxAge` \| duration \| `'1d'` \|/)
  assert.match(text, /\| `monitor.window` \| duration \| `'30m'` \| longer than 0 \|/)
  assert.match(text, /\| `backups.verify` \| string \| `'quick'` \| "quick", "full" \|/)
  assert.match(text, /\| `url` \| string \| required \|/)
})

test('every environment key and the options of the smoke, schema and log kinds have a description', () => {
  const text = renderReference()
  const section = (start: string, end: string) => text.slice(text.indexOf(start), text.indexOf(end, text.indexOf(start) + start.length))
  const undescribed = (body: string) =>
    body
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .filter((l) => l.trimEnd().endsWith('|  |'))
      .map((l) => l.split('|')[1]!.trim())
  // Environment keys, not counting the step overrides (their shared settings are described once under add[]).
  assert.deepEqual(undescribed(section('## Environment keys', '## Providers')), [])
  for (const kind of ['trpc', 'browser', 'playwright', 'schema-verify', 'logs']) {
    const body = section(`### \`${kind}\``, '\n### ')
    // The TERP sub-keys (paths, test ids, credentials) are named by their parent's description.
    assert.deepEqual(undescribed(body).filter((k) => !/^`terp\.[a-zA-Z]+\./.test(k) && !/^`viewport\./.test(k)), [], kind)
  }
})
