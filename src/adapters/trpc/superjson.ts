/**
 * The superjson wire format (`{ json, meta: { values, v: 1 } }`), for apps whose tRPC router uses
 * `transformer: superjson`. Written out here rather than depending on the package: users' tools
 * install rollout without the app's dependencies. Covers the types superjson handles by itself
 * (Date, BigInt, undefined, NaN/±Infinity/-0, RegExp, Set, Map, Error, URL); class, symbol and
 * custom-registered values are passed through as their JSON form.
 */

export interface SuperJsonResult {
  json: unknown
  meta?: { values?: Annotations; referentialEqualities?: unknown; v?: number }
}

type TypeAnnotation = string | [string, string]
/** A node `[type, children]` or a map of escaped paths to subtrees, as superjson writes them. */
type Annotations = AnnotationNode | AnnotationMap
type AnnotationNode = [TypeAnnotation, AnnotationMap?]
interface AnnotationMap {
  [path: string]: Annotations
}

interface Walked {
  json: unknown
  annotations?: Annotations
}

function escapeKey(key: string): string {
  return key.replace(/\\/g, '\\\\').replace(/\./g, '\\.')
}

function parsePath(path: string): string[] {
  const out: string[] = []
  let segment = ''
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!
    if (ch === '\\' && (path[i + 1] === '.' || path[i + 1] === '\\')) {
      segment += path[i + 1]
      i++
    } else if (ch === '.') {
      out.push(segment)
      segment = ''
    } else {
      segment += ch
    }
  }
  out.push(segment)
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** A leaf value superjson rewrites, with its type name; null when it stays as it is. */
function leaf(value: unknown): { json: unknown; type: string } | null {
  if (value === undefined) return { json: null, type: 'undefined' }
  if (typeof value === 'bigint') return { json: value.toString(), type: 'bigint' }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { json: 'NaN', type: 'number' }
    if (value === Infinity) return { json: 'Infinity', type: 'number' }
    if (value === -Infinity) return { json: '-Infinity', type: 'number' }
    if (Object.is(value, -0)) return { json: '-0', type: 'number' }
    return null
  }
  if (value instanceof Date) return { json: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString(), type: 'Date' }
  if (value instanceof RegExp) return { json: String(value), type: 'regexp' }
  if (value instanceof URL) return { json: value.toString(), type: 'URL' }
  return null
}

function walk(value: unknown, seen: unknown[]): Walked {
  const simple = leaf(value)
  if (simple) return { json: simple.json, annotations: [simple.type] }
  if (value === null || typeof value !== 'object') return { json: value }
  if (seen.includes(value)) return { json: null }

  let type: string | undefined
  let entries: [string, unknown][]
  let container: unknown[] | Record<string, unknown>
  if (value instanceof Map) {
    type = 'map'
    container = []
    entries = [...value.entries()].map((pair, i) => [String(i), pair as unknown])
  } else if (value instanceof Set) {
    type = 'set'
    container = []
    entries = [...value.values()].map((v, i) => [String(i), v])
  } else if (value instanceof Error) {
    type = 'Error'
    container = {}
    entries = [['name', value.name], ['message', value.message]]
  } else if (Array.isArray(value)) {
    container = []
    entries = value.map((v, i) => [String(i), v])
  } else if (isPlainObject(value)) {
    container = {}
    entries = Object.entries(value)
  } else {
    // A class instance superjson does not know: its JSON form, as JSON.stringify would give.
    return { json: JSON.parse(JSON.stringify(value) ?? 'null') }
  }

  const inner: AnnotationMap = {}
  for (const [key, child] of entries) {
    const result = walk(child, [...seen, value])
    if (Array.isArray(container)) container[Number(key)] = result.json
    else container[key] = result.json
    if (Array.isArray(result.annotations)) inner[escapeKey(key)] = result.annotations
    else if (result.annotations) {
      for (const [sub, tree] of Object.entries(result.annotations)) inner[`${escapeKey(key)}.${sub}`] = tree
    }
  }
  const hasInner = Object.keys(inner).length > 0
  if (type) return { json: container, annotations: hasInner ? [type, inner] : [type] }
  return { json: container, annotations: hasInner ? inner : undefined }
}

/** Same output as `superjson.serialize(value)`, without referential-equality annotations. */
export function serialize(value: unknown): SuperJsonResult {
  const { json, annotations } = walk(value, [])
  return annotations ? { json, meta: { values: annotations, v: 1 } } : { json }
}

function untransform(value: unknown, type: TypeAnnotation): unknown {
  if (Array.isArray(type)) return value // class / symbol / custom / typed-array: left as sent
  switch (type) {
    case 'undefined':
      return undefined
    case 'bigint':
      return BigInt(value as string)
    case 'number':
      return value === '-0' ? -0 : Number(value)
    case 'Date':
      return new Date(value as string)
    case 'regexp': {
      const text = String(value)
      const end = text.lastIndexOf('/')
      return new RegExp(text.slice(1, end), text.slice(end + 1))
    }
    case 'URL':
      return new URL(String(value))
    case 'set':
      return new Set(value as unknown[])
    case 'map':
      return new Map(value as [unknown, unknown][])
    case 'Error': {
      const { name, message } = (value ?? {}) as { name?: string; message?: string }
      const error = new Error(message)
      if (name) error.name = name
      return error
    }
    default:
      return value
  }
}

function setAt(root: unknown, path: string[], fn: (v: unknown) => unknown): unknown {
  if (path.length === 0) return fn(root)
  let parent = root as Record<string, unknown>
  for (const key of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return root
    parent = parent[key] as Record<string, unknown>
  }
  const last = path[path.length - 1]!
  if (parent !== null && typeof parent === 'object') parent[last] = fn(parent[last])
  return root
}

/** Children first: a Map's entries are still a list of pairs when their own annotations apply. */
function apply(root: unknown, tree: Annotations | undefined, origin: string[]): unknown {
  if (!tree) return root
  if (!Array.isArray(tree)) {
    for (const [key, sub] of Object.entries(tree)) root = apply(root, sub, [...origin, ...parsePath(key)])
    return root
  }
  const [type, children] = tree
  if (children) for (const [key, sub] of Object.entries(children)) root = apply(root, sub, [...origin, ...parsePath(key)])
  return setAt(root, origin, (v) => untransform(v, type))
}

/** Same result as `superjson.deserialize(payload)` for the types listed above. */
export function deserialize(payload: SuperJsonResult): unknown {
  const json = structuredClone(payload.json)
  return apply(json, payload.meta?.values, [])
}

/** true when a value has the `{ json, meta? }` shape superjson produces. */
export function looksSerialized(value: unknown): value is SuperJsonResult {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'json' in value && Object.keys(value).every((k) => k === 'json' || k === 'meta')
}
