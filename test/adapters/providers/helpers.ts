import http from 'node:http'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redactor } from '../../../src/config/redact.js'
import type { ProviderCallOptions } from '../../../src/adapters/providers/provider.js'

export const STANDIN_BIN = fileURLToPath(new URL('../../fixtures/bin/', import.meta.url))

/** A temporary folder with a state file the stand-ins read and a log of their calls. */
export function standinWorld(state: Record<string, unknown>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-standin-'))
  const stateFile = path.join(dir, 'state.json')
  const logFile = path.join(dir, 'calls.jsonl')
  fs.writeFileSync(stateFile, JSON.stringify(state))
  return {
    dir,
    env: (extra: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
      PATH: `${STANDIN_BIN}${path.delimiter}${process.env.PATH}`,
      STANDIN_STATE: stateFile,
      STANDIN_LOG: logFile,
      // Tokens from the machine running the tests never reach a stand-in.
      RAILWAY_TOKEN: undefined,
      RAILWAY_API_TOKEN: undefined,
      VERCEL_TOKEN: undefined,
      DIGITALOCEAN_ACCESS_TOKEN: undefined,
      ...extra,
    }),
    state: () => JSON.parse(fs.readFileSync(stateFile, 'utf8')) as Record<string, any>,
    setState: (next: Record<string, unknown>) => fs.writeFileSync(stateFile, JSON.stringify(next)),
    calls: (): { tool: string; argv: string[]; envKeys: string[] }[] =>
      fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [],
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}

export function callOptions(signal = new AbortController().signal): ProviderCallOptions & { lines: string[] } {
  const lines: string[] = []
  return { signal, log: (line) => lines.push(line), lines }
}

export function redactor(): Redactor {
  return new Redactor()
}

export interface Received {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: any
}

/** A local HTTP server answering like a provider's API; records every request. */
export async function apiServer(
  handler: (req: Received) => { status?: number; headers?: Record<string, string>; json?: unknown; text?: string },
): Promise<{ url: string; requests: Received[]; close: () => Promise<void> }> {
  const requests: Received[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const received: Received = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: raw ? JSON.parse(raw) : undefined }
      requests.push(received)
      let answer
      try {
        answer = handler(received)
      } catch (error) {
        answer = { status: 500, json: { id: 'test_handler', message: String(error) } }
      }
      const body = answer.text ?? JSON.stringify(answer.json ?? {})
      res.writeHead(answer.status ?? 200, { 'content-type': answer.text ? 'text/plain' : 'application/json', ...answer.headers })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
