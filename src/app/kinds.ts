import { builtInKinds } from '../steps/registry.js'
import type { StepKind, StepKinds } from '../engine/step-kind.js'
import { ConfigError } from '../shared/errors.js'

const NAME = /^[a-z][a-z0-9-]*$/
const OPTIONAL_FUNCTIONS = ['undo', 'checkSettings', 'inspect', 'canUndo'] as const
const OPTIONAL_FLAGS = ['changesEnvironment', 'needsLiveApp', 'resumable'] as const

/**
 * The built-in kinds and a team's own (the config's `kinds`, or a program's). Each of the team's is
 * checked like a config key: a wrong one stops `plan` and `run` naming `kinds[i]` and what was
 * expected, before anything runs.
 */
export function stepKinds(custom: readonly unknown[], where: string): StepKinds {
  const own = new Map<string, StepKind<any>>()
  custom.forEach((value, index) => {
    const kind = checkKind(value, `${where}: kinds[${index}]`)
    if (builtInKinds.find(kind.kind)) throw new ConfigError(`${where}: kinds[${index}].kind: "${kind.kind}" is a built-in kind; give yours another name`)
    if (own.has(kind.kind)) throw new ConfigError(`${where}: kinds[${index}].kind: "${kind.kind}" is defined twice`)
    own.set(kind.kind, kind)
  })
  if (!own.size) return builtInKinds
  return {
    find: (name) => builtInKinds.find(name) ?? own.get(name),
    names: () => [...builtInKinds.names(), ...own.keys()].sort(),
  }
}

function checkKind(value: unknown, key: string): StepKind<any> {
  const fail = (at: string, expected: string): never => {
    throw new ConfigError(`${key}${at}: expected ${expected}`, 'make step kinds with defineStepKind({ kind, description, run })')
  }
  if (!value || typeof value !== 'object') return fail('', `a step kind object, got ${value === null ? 'null' : typeof value}`)
  const k = value as Record<string, unknown>
  if (typeof k.kind !== 'string' || !NAME.test(k.kind)) fail('.kind', `a name of lower-case letters, digits and dashes, got ${JSON.stringify(k.kind)}`)
  if (typeof k.description !== 'string' || !k.description.trim()) fail('.description', 'a sentence saying what the step checks or changes')
  if (typeof k.run !== 'function') fail('.run', 'a function (ctx) => Promise<{ status, summary }>')
  for (const name of OPTIONAL_FUNCTIONS) if (k[name] !== undefined && typeof k[name] !== 'function') fail(`.${name}`, 'a function')
  for (const name of OPTIONAL_FLAGS) if (k[name] !== undefined && typeof k[name] !== 'boolean') fail(`.${name}`, 'true or false')
  if (k.options !== undefined && typeof (k.options as { safeParse?: unknown })?.safeParse !== 'function') fail('.options', 'a zod schema (z.object({ … }))')
  return value as StepKind<any>
}
