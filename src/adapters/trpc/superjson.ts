import SuperJSON from 'superjson'

/**
 * The superjson wire format (`{ json, meta: { values, v: 1 } }`) for apps whose tRPC router uses
 * `transformer: superjson`, written and read by the superjson package itself.
 */
export type SuperJsonResult = ReturnType<typeof SuperJSON.serialize>

export function serialize(value: unknown): SuperJsonResult {
  return SuperJSON.serialize(value)
}

/**
 * The value the app sent. A value of a class the app registered with its own superjson instance
 * cannot be rebuilt here: it is kept in its JSON form rather than failing the call.
 */
export function deserialize(payload: SuperJsonResult): unknown {
  try {
    return SuperJSON.deserialize(payload)
  } catch {
    return payload.json
  }
}

/** true when a value has the `{ json, meta? }` shape superjson produces. */
export function looksSerialized(value: unknown): value is SuperJsonResult {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'json' in value && Object.keys(value).every((k) => k === 'json' || k === 'meta')
}
