import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from '../support/cli.js'

type Node = string | Node[] | { [key: string]: Node }

/**
 * The block-style subset of YAML a workflow file uses: maps, lists of maps, plain or quoted scalars
 * (a flow list such as `[main]` stays a string). Enough to check the example's structure without a
 * YAML package; anything outside the subset (tabs, a line at an unexpected depth) throws.
 */
function parseYaml(text: string): Node {
  const lines = text.split('\n')
    .map((raw, i) => ({ raw: raw.replace(/\s+#.*$|^\s*#.*$/, '').trimEnd(), n: i + 1 }))
    .filter((l) => l.raw.trim() !== '')
    .map((l) => {
      if (/^\s*\t/.test(l.raw)) throw new Error(`line ${l.n}: tab indentation`)
      return { indent: l.raw.length - l.raw.trimStart().length, text: l.raw.trim(), n: l.n }
    })
  let i = 0
  const scalar = (s: string) => s.replace(/^(['"])(.*)\1$/, '$2')
  function block(indent: number): Node {
    if (lines[i]!.text.startsWith('- ')) {
      const list: Node[] = []
      while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) {
        const line = lines[i]!
        // The item's content is read as if it stood on its own line, two columns in.
        lines[i] = { indent: indent + 2, text: line.text.slice(2).trimStart(), n: line.n }
        list.push(/^[\w.-]+:( |$)/.test(lines[i]!.text) ? block(indent + 2) : scalar(lines[i++]!.text))
      }
      return list
    }
    const map: Record<string, Node> = {}
    while (i < lines.length && lines[i]!.indent === indent && !lines[i]!.text.startsWith('- ')) {
      const { text, n } = lines[i]!
      const match = /^([\w.-]+):(?: (.*))?$/.exec(text)
      if (!match) throw new Error(`line ${n}: expected "key: value", got ${JSON.stringify(text)}`)
      i++
      if (match[2] !== undefined && match[2] !== '') map[match[1]!] = scalar(match[2])
      else if (i < lines.length && (lines[i]!.indent > indent || (lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')))) map[match[1]!] = block(lines[i]!.indent)
      else map[match[1]!] = ''
    }
    if (i < lines.length && lines[i]!.indent > indent) throw new Error(`line ${lines[i]!.n}: unexpected indentation`)
    return map
  }
  const doc = block(0)
  if (i < lines.length) throw new Error(`line ${lines[i]!.n}: not parsed`)
  return doc
}

const obj = (n: Node | undefined) => n as Record<string, Node>

test('the tiny YAML reader reads maps, lists of maps and scalars', () => {
  assert.deepEqual(parseYaml('a: 1\nb:\n  c: "x"  # note\n  d:\n    - run: echo hi\n      if: always()\n    - uses: x@v4\n# end\n'), {
    a: '1', b: { c: 'x', d: [{ run: 'echo hi', if: 'always()' }, { uses: 'x@v4' }] },
  })
  assert.throws(() => parseYaml('a:\n  b: 1\n c: 2\n'), /line 3/)
})

test('the example workflow: one rollout per environment at a time, secrets from secrets.*, the run folder uploaded whatever happens', () => {
  const text = readFileSync(path.join(ROOT, 'examples/github/staging-rollout.yml'), 'utf8')
  const wf = obj(parseYaml(text))
  assert.deepEqual(wf.concurrency, { group: 'rollout-staging', 'cancel-in-progress': 'false' })

  const jobs = Object.values(obj(wf.jobs)).map(obj)
  assert.equal(jobs.length, 1)
  const job = jobs[0]!
  const env = obj(job.env)
  assert.equal(env.DATABASE_URL, '${{ secrets.DATABASE_URL }}')
  for (const [name, value] of Object.entries(env)) {
    if (/URL$/.test(name) && name !== 'STAGING_URL') assert.match(String(value), /^\$\{\{ secrets\.\w+ \}\}$/, `${name} is not read from secrets`)
    if (/TOKEN|PASSWORD|KEY/.test(name)) assert.match(String(value), /^\$\{\{ secrets\.\w+ \}\}$/, `${name} is not read from secrets`)
  }
  // No secret is written into a command line, where the log would show it.
  assert.doesNotMatch(text, /run:.*secrets\./)

  const steps = (job.steps as Node[]).map(obj)
  const rollout = steps.findIndex((s) => s.run === 'npx rollout run staging --release ${{ github.sha }}')
  assert.ok(rollout >= 0, 'no step runs `npx rollout run staging --release ${{ github.sha }}`')
  assert.ok(steps.findIndex((s) => String(s.uses).startsWith('actions/checkout@')) < rollout)
  const upload = steps.findIndex((s) => String(s.uses).startsWith('actions/upload-artifact@'))
  assert.ok(upload > rollout, 'the run folder is not uploaded after the rollout')
  assert.equal(steps[upload]!.if, 'always()')
  const withs = obj(steps[upload]!.with)
  assert.equal(withs.path, '.rollout/runs/')
  assert.ok(withs.name, 'the artifact has no name')
  // Backups are database dumps: never an artifact.
  assert.doesNotMatch(text, /path:.*backups/)
})
