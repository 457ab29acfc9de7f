/**
 * Writes docs/reference.md: every config key and every step kind's options, read from the zod
 * schemas themselves (types, defaults, allowed values, `.describe()` texts), so the reference cannot
 * drift from what the config boundary accepts. `npm run reference`; test/config/reference.test.ts
 * fails when the file is stale.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { configSchema, environmentSchema } from '../src/config/schema.js'
import { builtInKinds } from '../src/steps/registry.js'
import { knownProviderKinds } from '../src/adapters/providers/index.js'
import { commandProviderOptions } from '../src/adapters/providers/command.js'
import { railwayProviderOptions } from '../src/adapters/providers/railway.js'
import { vercelProviderOptions } from '../src/adapters/providers/vercel.js'
import { digitalOceanProviderOptions } from '../src/adapters/providers/digitalocean.js'
import { localProviderOptions } from '../src/adapters/providers/local/options.js'
import { monitorSectionSchemas } from '../src/steps/monitor/settings.js'
import { NOTIFIER_SCHEMAS } from '../src/adapters/notifiers/config.js'

type Schema = z.core.$ZodType
interface Def {
  type: string
  innerType?: Schema
  in?: Schema
  out?: Schema
  shape?: Record<string, Schema>
  valueType?: Schema
  element?: Schema
  options?: Schema[]
  entries?: Record<string, string | number>
  values?: unknown[]
  defaultValue?: unknown
  checks?: { _zod: { def: CheckDef } }[]
  format?: string
  getter?: () => Schema
}
interface CheckDef {
  check: string
  value?: number
  inclusive?: boolean
  minimum?: number
  maximum?: number
  format?: string
  pattern?: RegExp
  prefix?: string
}

/** Every provider's options schema, by `provider.kind`. */
const PROVIDER_SCHEMAS: Record<string, Schema> = {
  command: commandProviderOptions,
  railway: railwayProviderOptions,
  vercel: vercelProviderOptions,
  digitalocean: digitalOceanProviderOptions,
  local: localProviderOptions,
}

const defOf = (s: Schema): Def => s._zod.def as unknown as Def
const metaOf = (s: Schema): Record<string, unknown> | undefined => z.globalRegistry.get(s) as Record<string, unknown> | undefined
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'])

/** A key's schema with its wrappers peeled off, and what the wrappers said. */
interface Peeled {
  core: Schema
  optional: boolean
  hasDefault: boolean
  defaultValue?: unknown
  description?: string
  duration: boolean
  typeName?: string
  allowed?: string
}

function peel(schema: Schema): Peeled {
  const out: Peeled = { core: schema, optional: false, hasDefault: false, duration: false }
  let node = schema
  for (;;) {
    const meta = metaOf(node)
    if (meta?.description && !out.description) out.description = String(meta.description)
    if (meta?.format === 'duration') out.duration = true
    if (typeof meta?.type === 'string' && !out.typeName) out.typeName = meta.type
    if (typeof meta?.allowed === 'string' && !out.allowed) out.allowed = meta.allowed
    const def = defOf(node)
    if (!WRAPPERS.has(def.type)) break
    if (def.type === 'optional') out.optional = true
    if ((def.type === 'default' || def.type === 'prefault') && !out.hasDefault) {
      out.hasDefault = true
      out.optional = true
      out.defaultValue = def.defaultValue
    }
    node = def.innerType!
  }
  out.core = node
  return out
}

/** '24h', '30m', '90s', '500ms' for a duration in milliseconds. */
function formatMs(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}

function typeName(schema: Schema, seen = new Set<Schema>()): string {
  const p = peel(schema)
  if (p.typeName) return p.typeName
  if (p.duration) return 'duration'
  const def = defOf(p.core)
  if (seen.has(p.core)) return 'any'
  seen.add(p.core)
  switch (def.type) {
    case 'string':
      return def.format === 'ipv4' || def.format === 'ipv6' ? `${def.format} address` : 'string'
    case 'number':
      return (def.checks ?? []).some((c) => c._zod.def.format === 'safeint') ? 'integer' : 'number'
    case 'boolean':
      return 'boolean'
    case 'enum':
      return 'string'
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(' | ')
    case 'array': {
      const item = typeName(def.element!, seen)
      return item.includes(' ') ? `(${item})[]` : `${item}[]`
    }
    case 'record':
      return `record of ${typeName(def.valueType!, seen)}`
    case 'object':
      return 'object'
    case 'union':
      return [...new Set(def.options!.map((o) => typeName(o, seen)))].join(' | ')
    case 'pipe':
      return typeName(def.in!, seen)
    case 'lazy':
      return typeName(def.getter!(), seen)
    default:
      return 'any'
  }
}

/** Allowed values and limits, in words. */
function allowed(schema: Schema): string {
  const p = peel(schema)
  if (p.allowed !== undefined) return p.allowed
  if (p.duration) return ''
  const def = defOf(p.core)
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries!).map((v) => JSON.stringify(v)).join(', ')
    case 'union': {
      const values = def.options!.flatMap((o) => {
        const od = defOf(peel(o).core)
        return od.type === 'enum' ? Object.values(od.entries!) : od.type === 'literal' ? od.values! : []
      })
      return values.length === def.options!.length ? values.map((v) => JSON.stringify(v)).join(', ') : ''
    }
    case 'array':
      return [allowed(def.element!), limits(p.core)].filter(Boolean).join('; ')
    case 'string':
    case 'number':
    case 'record':
      return limits(p.core)
    default:
      return ''
  }
}

function limits(schema: Schema): string {
  const def = defOf(schema)
  const words: string[] = []
  for (const check of (def.checks ?? []).map((c) => c._zod.def)) {
    if (check.check === 'greater_than') words.push(`${check.inclusive ? '≥' : '>'} ${check.value}`)
    else if (check.check === 'less_than') words.push(`${check.inclusive ? '≤' : '<'} ${check.value}`)
    else if (check.check === 'min_length') words.push(def.type === 'string' ? (check.minimum === 1 ? 'non-empty' : `at least ${check.minimum} characters`) : `at least ${check.minimum}`)
    else if (check.check === 'max_length') words.push(`at most ${check.maximum}`)
    else if (check.check === 'string_format' && check.format === 'starts_with') words.push(`starts with "${check.prefix}"`)
    else if (check.check === 'string_format' && check.format === 'regex') words.push(`matches \`${check.pattern!.source}\``)
  }
  return words.join(', ')
}

function formatDefault(p: Peeled): string {
  if (!p.hasDefault) return p.optional ? '' : 'required'
  const value = p.defaultValue
  if (p.duration && typeof value === 'number') return `'${formatMs(value)}'`
  if (typeof value === 'string') return `'${value}'`
  return JSON.stringify(value)
}

interface Row {
  key: string
  type: string
  default: string
  allowed: string
  description: string
}

/** The object schemas a key's value may be (an object, or objects inside a union with `false`). */
function objectsOf(schema: Schema): Schema[] {
  const core = peel(schema).core
  const def = defOf(core)
  if (def.type === 'object') return [core]
  if (def.type === 'union') return def.options!.flatMap(objectsOf)
  if (def.type === 'pipe') return objectsOf(def.in!)
  return []
}

/** One row per key, depth first: objects, arrays of objects (`key[]`) and records of objects (`key.<name>`). */
function rows(schema: Schema, prefix: string, out: Row[], stop: Set<Schema>, depth = 0): Row[] {
  for (const object of objectsOf(schema)) {
    for (const [key, child] of Object.entries(defOf(object).shape!)) {
      const at = prefix ? `${prefix}.${key}` : key
      if (out.some((r) => r.key === at)) continue
      addRow(child, at, out, stop, depth)
    }
  }
  return out
}

function addRow(schema: Schema, at: string, out: Row[], stop: Set<Schema>, depth: number): void {
  const p = peel(schema)
  out.push({ key: at, type: typeName(schema), default: formatDefault(p), allowed: allowed(schema), description: p.description ?? '' })
  if (depth > 6 || stop.has(p.core) || p.duration) return
  const def = defOf(p.core)
  if (def.type === 'array' && objectsOf(def.element!).length) rows(def.element!, `${at}[]`, out, stop, depth + 1)
  else if (def.type === 'record' && !stop.has(peel(def.valueType!).core) && objectsOf(def.valueType!).length) rows(def.valueType!, `${at}.<name>`, out, stop, depth + 1)
  else rows(schema, at, out, stop, depth + 1)
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
const code = (text: string): string => (text ? `\`${text}\`` : '')

function table(list: Row[]): string {
  if (!list.length) return 'No options.\n'
  const lines = ['| key | type | default | allowed | description |', '|---|---|---|---|---|']
  for (const r of list) {
    const def = r.default === 'required' ? 'required' : code(r.default)
    lines.push(`| ${cell(code(r.key))} | ${cell(r.type)} | ${cell(def)} | ${cell(r.allowed)} | ${cell(r.description)} |`)
  }
  return lines.join('\n') + '\n'
}

/** The whole of docs/reference.md. Pure: the same schemas give the same text. */
export function renderReference(): string {
  const parts: string[] = []
  parts.push(`# Configuration reference

<!-- Generated from the config schemas by \`npm run reference\` (scripts/reference.ts). Do not edit by hand: change the schema's \`.describe()\` text and run it again. -->

Every key \`rollout.config.ts\` takes, with its type, default and allowed values, read from the schemas
the config is checked with. Durations are written \`'500ms'\`, \`'90s'\`, \`'30m'\`, \`'24h'\`, \`'14d'\` (or a
number of milliseconds). "required" marks a key without which the section is an error; an empty default
means the key is optional and unset. See the [README](../README.md#configuration) for how a config is
written and loaded.
`)
  parts.push('## Top level\n')
  parts.push(table(rows(configSchema, '', [], new Set([peel(environmentSchema).core]))))
  parts.push(`
## Environment keys

Under \`environments.<name>\`.
`)
  parts.push(table(rows(environmentSchema, '', [], new Set())))
  parts.push(`
## Providers

\`environments.<name>.provider\`: \`{ kind, … }\`, checked by the provider's own schema when the config is
loaded. Known kinds: ${knownProviderKinds().map((k) => `\`${k}\``).join(', ')}.
`)
  for (const kind of knownProviderKinds()) {
    const schema = PROVIDER_SCHEMAS[kind]
    if (!schema) throw new Error(`scripts/reference.ts: no options schema listed for the "${kind}" provider`)
    parts.push(`### Provider \`${kind}\`\n`)
    parts.push(table(rows(schema, '', [], new Set())))
    parts.push('')
  }
  parts.push(`## Monitor settings

The keys \`environments.<name>.monitor\` and the \`monitor\` step's options take besides \`window\`,
\`interval\` and \`onBreach\`.

### \`health\` (or \`false\`)
`)
  parts.push(table(rows(monitorSectionSchemas.health, 'health', [], new Set())))
  parts.push(`
### \`errors\`

Limits, with one of the sources below (\`source\`: default \`logs\` when the environment has a provider, else \`none\`).
`)
  parts.push(table(rows(monitorSectionSchemas.limits, 'errors', [], new Set())))
  for (const source of monitorSectionSchemas.sources) {
    const name = String(defOf(defOf(source).shape!.source!).values![0])
    parts.push(`\n#### \`errors.source: '${name}'\`\n`)
    parts.push(table(rows(source, 'errors', [], new Set()).filter((r) => r.key !== 'errors.source')))
  }
  parts.push(`
## Notify channels

\`environments.<name>.notify[]\`, one object per channel, checked when the config is loaded.
`)
  for (const [kind, schema] of Object.entries(NOTIFIER_SCHEMAS)) {
    parts.push(`### Channel \`${kind}\`\n`)
    parts.push(table(rows(schema, '', [], new Set())))
    parts.push('')
  }
  parts.push(`## Step kinds

A step's options are set under \`environments.<name>.steps.<id>.options\` (a step of the default plan)
or \`environments.<name>.add[].options\` (a step of your own), and checked when the plan is built.
Some kinds also read an environment section (\`smoke\`, \`smoke.trpc\`, \`smoke.playwright\`, \`logs\`,
\`monitor\`) with the same keys; the step's options win key by key.
`)
  for (const name of builtInKinds.names()) {
    const kind = builtInKinds.find(name)!
    parts.push(`### \`${name}\`\n`)
    parts.push(`${kind.description.charAt(0).toUpperCase()}${kind.description.slice(1)}.\n`)
    parts.push(kind.options ? table(rows(kind.options as Schema, '', [], new Set())) : 'No options.\n')
    parts.push('')
  }
  return parts.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n'
}

export const REFERENCE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'reference.md')

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(REFERENCE_FILE, renderReference())
  console.log(`wrote ${path.relative(process.cwd(), REFERENCE_FILE)}`)
}
