import { z } from 'zod'
import type { StepContext } from '../../engine/step-kind.js'
import type { HttpRequestError } from '../../adapters/http/request.js'
import { stepCa } from '../trust.js'
import { resolveUrl } from '../url.js'

/** Options every environment gate that speaks HTTP(S) shares. */
export const targetOptionShape = {
  url: z.string().min(1).optional().describe('URL or path to probe; by default the environment\'s `url`.'),
  ca: z.string().min(1).optional().describe('A CA certificate file (PEM, relative to the config\'s folder) trusted besides the system\'s.'),
  timeoutMs: z.number().int().positive().default(10_000),
}

/** The URL a gate probes: an absolute option, a path joined to the environment's URL, or that URL. */
export function targetUrl(ctx: StepContext<unknown>, url: string | undefined): URL {
  return new URL(resolveUrl(ctx.environment.url, url ?? ctx.environment.url))
}

/** PEM of the CAs trusted besides Node's roots (system bundle, NODE_EXTRA_CA_CERTS, configured file). */
export async function trustedCa(ctx: StepContext<unknown>, caFile: string | undefined): Promise<string | undefined> {
  return stepCa(ctx, caFile)
}

/** The words a user acts on for each failed stage: a health check must say why it failed. */
export function failureWords(error: HttpRequestError): string {
  switch (error.stage) {
    case 'dns':
      return 'DNS failure'
    case 'connect':
      return error.code === 'ECONNREFUSED' ? 'connection refused' : 'connection failed'
    case 'tls':
      return 'TLS failure'
    case 'timeout':
      return 'timeout'
    case 'aborted':
      return 'cancelled'
    default:
      return 'HTTP failure'
  }
}

/** Port a URL reaches, default ones included. */
export function portOf(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80))
}
