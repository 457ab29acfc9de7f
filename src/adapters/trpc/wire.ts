import { deserialize, looksSerialized, serialize } from './superjson.js'

/**
 * The tRPC v11 HTTP wire format, as `httpLink` / `httpBatchLink` speak it. Pure: requests are
 * described as data and responses parsed from text, so the format is tested without a server.
 *
 * - query: `GET <endpoint>/<path>?input=<JSON>`; mutation: `POST <endpoint>/<path>` with the JSON
 *   input as body (`content-type: application/json`, which tRPC requires on POST).
 * - batch: paths joined by commas, `?batch=1`, inputs as an object keyed by index (`{"0": …}`);
 *   the answer is a list, one entry per call, in order. One batch holds one procedure type.
 * - each entry is `{ result: { data } }` or `{ error: { message, code, data: { code, httpStatus, path } } }`;
 *   with superjson both `data` and the whole `error` are `{ json, meta }` encoded.
 */

export type ProcedureType = 'query' | 'mutation'
export type Transformer = 'none' | 'superjson'

export interface TrpcCall {
  path: string
  type: ProcedureType
  input?: unknown
}

export interface WireRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body?: string
}

export interface TrpcErrorInfo {
  message: string
  /** The tRPC code name: BAD_REQUEST, UNAUTHORIZED, INTERNAL_SERVER_ERROR… */
  code: string
  /** The JSON-RPC number (-32600…), when the server sent one. */
  rpcCode?: number
  httpStatus?: number
  path?: string
}

export type CallResult = { ok: true; data: unknown } | { ok: false; error: TrpcErrorInfo }

/** The answer was not tRPC at all: a proxy's error page, a 404 from another app. */
export class TrpcWireError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TrpcWireError'
  }
}

const CODE_NAMES: Record<number, string> = {
  [-32700]: 'PARSE_ERROR',
  [-32600]: 'BAD_REQUEST',
  [-32603]: 'INTERNAL_SERVER_ERROR',
  [-32001]: 'UNAUTHORIZED',
  [-32002]: 'PAYMENT_REQUIRED',
  [-32003]: 'FORBIDDEN',
  [-32004]: 'NOT_FOUND',
  [-32005]: 'METHOD_NOT_SUPPORTED',
  [-32008]: 'TIMEOUT',
  [-32009]: 'CONFLICT',
  [-32012]: 'PRECONDITION_FAILED',
  [-32013]: 'PAYLOAD_TOO_LARGE',
  [-32015]: 'UNSUPPORTED_MEDIA_TYPE',
  [-32022]: 'UNPROCESSABLE_CONTENT',
  [-32028]: 'PRECONDITION_REQUIRED',
  [-32029]: 'TOO_MANY_REQUESTS',
  [-32099]: 'CLIENT_CLOSED_REQUEST',
}

function encode(input: unknown, transformer: Transformer): unknown {
  return transformer === 'superjson' ? serialize(input) : input
}

function decode(value: unknown, transformer: Transformer): unknown {
  return transformer === 'superjson' && looksSerialized(value) ? deserialize(value) : value
}

function joinUrl(endpoint: string, path: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${path.split(',').map(encodeURIComponent).join(',')}`
}

/** One HTTP request for one call, or for several calls of the same type sent as a batch. */
export function buildRequest(endpoint: string, calls: TrpcCall[], transformer: Transformer): WireRequest {
  if (calls.length === 0) throw new Error('no tRPC call to send')
  const type = calls[0]!.type
  if (calls.some((c) => c.type !== type)) throw new Error('a tRPC batch holds calls of one type only (all queries or all mutations)')
  const batch = calls.length > 1
  const base = joinUrl(endpoint, calls.map((c) => c.path).join(','))
  const inputs = batch
    ? Object.fromEntries(calls.map((c, i) => [String(i), c.input === undefined ? undefined : encode(c.input, transformer)]).filter(([, v]) => v !== undefined))
    : calls[0]!.input === undefined
      ? undefined
      : encode(calls[0]!.input, transformer)
  const params = new URLSearchParams()
  if (batch) params.set('batch', '1')
  if (type === 'query') {
    if (inputs !== undefined && !(batch && Object.keys(inputs as object).length === 0)) params.set('input', JSON.stringify(inputs))
    const query = params.toString()
    return { method: 'GET', url: query ? `${base}?${query}` : base, headers: { accept: 'application/json' } }
  }
  const query = params.toString()
  return {
    method: 'POST',
    url: query ? `${base}?${query}` : base,
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: inputs === undefined ? (batch ? '{}' : '') : JSON.stringify(inputs),
  }
}

function errorInfo(raw: unknown, transformer: Transformer): TrpcErrorInfo {
  const shape = decode(raw, transformer) as { message?: unknown; code?: unknown; data?: { code?: unknown; httpStatus?: unknown; path?: unknown } } | null
  const rpcCode = typeof shape?.code === 'number' ? shape.code : undefined
  const named = typeof shape?.data?.code === 'string' ? shape.data.code : rpcCode !== undefined ? CODE_NAMES[rpcCode] : undefined
  return {
    message: typeof shape?.message === 'string' ? shape.message : JSON.stringify(shape),
    code: named ?? 'UNKNOWN',
    ...(rpcCode !== undefined ? { rpcCode } : {}),
    ...(typeof shape?.data?.httpStatus === 'number' ? { httpStatus: shape.data.httpStatus } : {}),
    ...(typeof shape?.data?.path === 'string' ? { path: shape.data.path } : {}),
  }
}

function entry(raw: unknown, transformer: Transformer): CallResult {
  if (raw && typeof raw === 'object' && 'error' in raw) return { ok: false, error: errorInfo((raw as { error: unknown }).error, transformer) }
  if (raw && typeof raw === 'object' && 'result' in raw) {
    const result = (raw as { result: { data?: unknown } | null }).result
    return { ok: true, data: decode(result?.data, transformer) }
  }
  throw new TrpcWireError(`expected a tRPC result ({"result":…} or {"error":…}), got ${JSON.stringify(raw)?.slice(0, 120)}`)
}

/**
 * The results of the calls a request carried, in order. Throws TrpcWireError when the answer is
 * not a tRPC response (so the failure names what came back instead of a JSON parse error).
 */
export function parseResponse(res: { status: number; headers: Record<string, string>; body: string }, calls: TrpcCall[], transformer: Transformer): CallResult[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(res.body)
  } catch {
    const type = res.headers['content-type'] ?? 'no content-type'
    const snippet = res.body.replace(/\s+/g, ' ').trim().slice(0, 120)
    throw new TrpcWireError(`not a tRPC response: HTTP ${res.status} (${type})${snippet ? `: ${snippet}` : ', empty body'}`)
  }
  if (calls.length > 1) {
    // A batch that failed as a whole (bad request, mixed types) answers with one error object.
    if (!Array.isArray(parsed)) {
      const single = entry(parsed, transformer)
      return calls.map(() => single)
    }
    if (parsed.length !== calls.length) throw new TrpcWireError(`the batch answered ${parsed.length} results for ${calls.length} calls`)
    return parsed.map((p) => entry(p, transformer))
  }
  return [entry(Array.isArray(parsed) ? parsed[0] : parsed, transformer)]
}
