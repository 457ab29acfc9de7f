/** Test counts as a runner printed them; fields it did not print stay undefined. */
export interface TestCounts {
  passed?: number
  failed?: number
  skipped?: number
  total?: number
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g

/**
 * Reads the summary line of the usual runners: vitest (`Tests  2 failed | 40 passed (42)`), jest
 * (`Tests:       1 failed, 41 passed, 42 total`), node:test (`# pass 40` / `ℹ pass 40`) and mocha
 * (`40 passing`, `2 failing`). The last summary printed wins; null when none is recognised.
 */
export function parseTestCounts(output: string): TestCounts | null {
  const text = output.replace(ANSI, '')
  let found: TestCounts | null = null
  // Runners print their summary over several lines; lines of the same style add to one summary.
  let style: 'line' | 'node' | 'mocha' | null = null
  const start = (s: typeof style, fresh = false): TestCounts => {
    if (style !== s || fresh || !found) found = {}
    style = s
    return found
  }
  for (const line of text.split(/\r?\n/)) {
    const vitestOrJest = /^\s*Tests:?\s+(.+)$/.exec(line)
    if (vitestOrJest && /\d+ (passed|failed)/.test(vitestOrJest[1]!)) {
      const counts = start('line', true)
      const body = vitestOrJest[1]!
      for (const m of body.matchAll(/(\d+) (passed|failed|skipped|todo|total)/g)) {
        const n = Number(m[1])
        if (m[2] === 'passed') counts.passed = n
        else if (m[2] === 'failed') counts.failed = n
        else if (m[2] === 'skipped' || m[2] === 'todo') counts.skipped = (counts.skipped ?? 0) + n
        else counts.total = n
      }
      const inParens = /\((\d+)\)\s*$/.exec(body)
      if (inParens && counts.total === undefined) counts.total = Number(inParens[1])
      continue
    }
    const node = /^(?:#|ℹ)\s+(tests|pass|fail|skipped)\s+(\d+)\s*$/.exec(line)
    if (node) {
      const counts = start('node', node[1] === 'tests')
      const n = Number(node[2])
      if (node[1] === 'pass') counts.passed = n
      else if (node[1] === 'fail') counts.failed = n
      else if (node[1] === 'skipped') counts.skipped = n
      else counts.total = n
      continue
    }
    const mocha = /^\s*(\d+) (passing|failing|pending)\b/.exec(line)
    if (mocha) {
      const counts = start('mocha', mocha[2] === 'passing')
      const n = Number(mocha[1])
      if (mocha[2] === 'passing') counts.passed = n
      else if (mocha[2] === 'failing') counts.failed = n
      else counts.skipped = n
    }
  }
  return found
}
