import { trustedExtras, type TrustSources } from '../adapters/tls/trust.js'
import type { StepContext } from '../engine/step-kind.js'

/**
 * The CAs a step trusts besides Node's roots: the system bundle, NODE_EXTRA_CA_CERTS, and the
 * step's own `ca` or else the environment's, so a private CA is named once for every check.
 */
export function stepTrust(ctx: StepContext<unknown>, stepCa?: string): Promise<TrustSources> {
  return trustedExtras({ caFile: stepCa ?? ctx.environment.ca, cwd: ctx.cwd })
}

/** The PEM text of those CAs, as an HTTP or TLS call takes it. */
export async function stepCa(ctx: StepContext<unknown>, stepCa?: string): Promise<string | undefined> {
  return (await stepTrust(ctx, stepCa)).pem
}
