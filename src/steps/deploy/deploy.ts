import { z } from 'zod'
import { defineStepKind, type Inspection, type StepOutcome, type UndoContext } from '../../engine/step-kind.js'
import { duration } from '../../config/schema.js'
import type { Deployment, DeployProvider, ProviderCallOptions } from '../../adapters/providers/provider.js'
import { providerFor, callOptionsOf } from './provider-for.js'

export const deployOptions = z.strictObject({
  release: z.string().min(1).optional().describe('What to deploy; the run\'s release (`--release`, or the environment\'s `release`) when not set.'),
  wait: z.boolean().default(true).describe('Wait until the provider reports the deployment live (the wait-live step then checks the app itself).'),
  waitTimeout: duration.default(20 * 60_000).describe('Longest wait for the deployment to go live, and for a rollback\'s deployment in the undo.'),
})
export type DeployOptions = z.output<typeof deployOptions>

function brief(d: Deployment | null): Record<string, unknown> | null {
  return d ? { id: d.id, status: d.status, ...(d.url ? { url: d.url } : {}), ...(d.createdAt ? { createdAt: d.createdAt } : {}) } : null
}

/** The earlier attempt's deployment, when the provider says it is the one live now. */
async function liveAlready(provider: DeployProvider, deploymentId: string, opts: ProviderCallOptions): Promise<Deployment | null> {
  const current = await provider.current(opts)
  return current && current.id === deploymentId && current.live ? current : null
}

/**
 * The undo of a first deploy (`--first`, nothing live before): the new deployment is taken down, as
 * nothing served before. Only for a declared first deploy: a provider that merely could not name the
 * live deployment must not lose what it serves.
 */
async function takeDownFirst(ctx: UndoContext<DeployOptions>, deploymentId: string | undefined): Promise<StepOutcome> {
  if (!deploymentId) return { status: 'skipped', summary: 'the first deploy never started a deployment' }
  const provider = await providerFor(ctx)
  if (!provider.takeDown) {
    return { status: 'failed', summary: `this first deploy's deployment ${deploymentId} is live and the ${provider.kind} provider cannot take a deployment down: take it down by hand` }
  }
  await provider.takeDown(deploymentId, callOptionsOf(ctx))
  await ctx.writeEvidence('take-down.json', JSON.stringify({ deploymentId, at: new Date().toISOString() }, null, 2), 'first deployment taken down')
  return { status: 'passed', summary: `first deployment ${deploymentId} taken down: nothing was live before this run`, data: { takenDown: deploymentId } }
}

export default defineStepKind<DeployOptions>({
  kind: 'deploy',
  description: "deploys the release through the environment's provider and waits until the provider reports it live; the undo rolls back to what was live before",
  changesEnvironment: true,
  // A repeat keeps the first attempt's "live before" and adopts its deployment when that went live.
  resumable: true,
  options: deployOptions,
  // Found at plan time, not at the deploy after the migration: a run must never cross its point of no return without one.
  checkSettings: (ctx) => {
    if (!ctx.environment.provider) {
      throw new Error(`environments.${ctx.environmentName}.provider: missing; the deploy step deploys through it (kind: command, railway, vercel, digitalocean or local), or switch the step off with steps: { deploy: false }`)
    }
  },

  async run(ctx): Promise<StepOutcome> {
    const release = ctx.options.release ?? ctx.environment.release
    if (!release) return { status: 'failed', summary: 'no release to deploy: pass --release or set the environment\'s release' }
    const provider = await providerFor(ctx)
    const opts = callOptionsOf(ctx)

    const earlier = ctx.earlier as { stage?: string; previous?: Record<string, unknown> | null; previousDeploymentId?: string | null; deploymentId?: string } | undefined
    // What was live before the FIRST attempt stays the rollback's target: after a crash mid-deploy,
    // what is live now may be that attempt's own deployment.
    const repeat = earlier?.stage !== undefined
    const previous: Record<string, unknown> | null = repeat ? (earlier!.previous ?? null) : brief(await provider.current(opts))
    const previousId = repeat ? (earlier!.previousDeploymentId ?? null) : ((previous?.id as string | undefined) ?? null)
    ctx.log(`${previousId ? `live before the deploy: ${previousId}${previous?.status ? ` (${previous.status})` : ''}` : 'nothing is live before the deploy'}${repeat ? ', as the first attempt found it' : ''}`)
    const base = { provider: provider.kind, release, previous, previousDeploymentId: previousId }
    // Recorded before anything changes, so a rollback knows its target even after a crash.
    await ctx.checkpoint({ ...base, stage: 'deploying' })

    const adopted = repeat && earlier!.deploymentId ? await liveAlready(provider, earlier!.deploymentId, opts) : null
    if (adopted) {
      ctx.log(`deployment ${adopted.id} of the interrupted attempt is live: not deployed again`)
      await ctx.writeEvidence('deployment.json', JSON.stringify({ previous, adopted }, null, 2), 'deployment')
      return { status: 'passed', summary: `${release} live as ${provider.kind} deployment ${adopted.id} (started by the interrupted attempt)`, data: { ...base, stage: 'live', deploymentId: adopted.id, status: adopted.status, url: adopted.url ?? null } }
    }
    const started = await provider.deploy(release, opts)
    await ctx.checkpoint({ ...base, stage: 'started', deploymentId: started.id })
    ctx.log(`deployment ${started.id} started`)
    const data = { ...base, stage: 'started', deploymentId: started.id, status: started.status, url: started.url ?? null }

    if (!ctx.options.wait) {
      await ctx.writeEvidence('deployment.json', JSON.stringify({ previous, started }, null, 2), 'deployment')
      return { status: 'passed', summary: `deployment ${started.id} of ${release} started (not waited for)`, data }
    }
    try {
      const live = await provider.waitUntilLive(started.id, { ...opts, timeoutMs: ctx.options.waitTimeout })
      await ctx.writeEvidence('deployment.json', JSON.stringify({ previous, started, live }, null, 2), 'deployment')
      return { status: 'passed', summary: `${release} live as ${provider.kind} deployment ${live.id}${live.url ? ` (${live.url})` : ''}`, data: { ...data, stage: 'live', status: live.status, url: live.url ?? data.url } }
    } catch (error) {
      if (ctx.signal.aborted) throw error
      const why = ctx.redactor.redact((error as Error).message)
      await ctx.writeEvidence('deployment.json', JSON.stringify({ previous, started, error: why }, null, 2), 'deployment')
      return { status: 'failed', summary: why, data: { ...data, stage: 'failed' } }
    }
  },

  async inspect(ctx: UndoContext<DeployOptions>): Promise<Inspection> {
    const r = ctx.recorded as { stage?: string; previousDeploymentId?: string | null; undo?: { liveDeploymentId?: string } }
    if (r.stage === undefined) return { state: 'before', detail: 'the deploy never started: no deployment was made' }
    if (!r.previousDeploymentId && ctx.firstDeploy) {
      const now = await (await providerFor(ctx)).current(callOptionsOf(ctx))
      return now?.live ? { state: 'changed', detail: `live: ${now.id}; before this first deploy nothing was` } : { state: 'before', detail: `nothing live${now ? ` (${now.id} is ${now.status})` : ''}, as before this first deploy` }
    }
    if (!r.previousDeploymentId) return { state: 'unknown', detail: 'nothing was live before the run to compare with' }
    const current = await (await providerFor(ctx)).current(callOptionsOf(ctx))
    // Some platforms put an old release back as a new deployment: the undo recorded its id.
    const back = current && (current.id === r.previousDeploymentId || current.id === r.undo?.liveDeploymentId)
    return back
      ? { state: 'before', detail: `live: ${current.id}${current.id === r.previousDeploymentId ? ', as before the run' : `, the redeploy of ${r.previousDeploymentId} that was live before the run`}` }
      : { state: 'changed', detail: `live: ${current?.id ?? 'nothing'}; before the run it was ${r.previousDeploymentId}` }
  },

  async undo(ctx: UndoContext<DeployOptions>): Promise<StepOutcome> {
    const r = ctx.recorded as { stage?: string; previousDeploymentId?: string | null; deploymentId?: string }
    // The checkpoint comes before the deploy call: without it nothing was deployed.
    if (r.stage === undefined) return { status: 'skipped', summary: 'nothing was deployed' }
    if (!r.previousDeploymentId && ctx.firstDeploy) return takeDownFirst(ctx, r.deploymentId)
    if (!r.previousDeploymentId) {
      return {
        status: 'failed',
        summary: `nothing was live before this deploy, so there is nothing to roll back to${r.deploymentId ? `: take deployment ${r.deploymentId} down by hand` : ''}`,
      }
    }
    const provider = await providerFor(ctx)
    const opts = callOptionsOf(ctx)
    const rb = await provider.rollback(r.previousDeploymentId, { ...opts, fromDeploymentId: r.deploymentId })
    const live = rb.live ? rb : await provider.waitUntilLive(rb.id, { ...opts, timeoutMs: ctx.options.waitTimeout })
    await ctx.writeEvidence('rollback.json', JSON.stringify({ target: r.previousDeploymentId, from: r.deploymentId ?? null, rollback: rb, live }, null, 2), 'rollback')
    const via = live.id === r.previousDeploymentId ? '' : ` (as deployment ${live.id})`
    return {
      status: 'passed',
      summary: `rolled back to ${r.previousDeploymentId}${via}, live`,
      data: { rolledBackTo: r.previousDeploymentId, from: r.deploymentId ?? null, liveDeploymentId: live.id, status: live.status },
    }
  },
})
