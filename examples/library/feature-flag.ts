import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { defineStepKind } from 'rollout'

/**
 * A team's own step kind: switches a feature flag kept in a JSON file beside the config. It changes
 * the environment, so it records what it found before changing it (a checkpoint survives a crash),
 * undoes from that record, and says after a rollback whether the flag really is back.
 */
export const featureFlag = defineStepKind<{ file: string; flag: string; value: boolean }>({
  kind: 'feature-flag',
  description: 'sets a feature flag in a JSON flags file; the undo puts the previous value back',
  changesEnvironment: true,
  options: z.strictObject({
    file: z.string().describe('The flags file, relative to the config.'),
    flag: z.string().min(1),
    value: z.boolean(),
  }),
  async run(ctx) {
    const file = path.resolve(ctx.cwd, ctx.options.file)
    const flags = await readFlags(file)
    // The first attempt's value: a retry must not take the half-changed state for the original.
    const before = ctx.earlier?.before ?? flags[ctx.options.flag] ?? null
    await ctx.checkpoint({ before })
    flags[ctx.options.flag] = ctx.options.value
    await writeFile(file, `${JSON.stringify(flags, null, 2)}\n`)
    await ctx.writeEvidence('flags.json', JSON.stringify(flags, null, 2), 'flags after the change')
    ctx.log(`${ctx.options.flag}: ${JSON.stringify(before)} → ${ctx.options.value}`)
    return { status: 'passed', summary: `${ctx.options.flag} is now ${ctx.options.value}`, data: { before, after: ctx.options.value } }
  },
  async undo(ctx) {
    const file = path.resolve(ctx.cwd, ctx.options.file)
    const flags = await readFlags(file)
    const before = ctx.recorded.before
    if (before === null || before === undefined) delete flags[ctx.options.flag]
    else flags[ctx.options.flag] = before
    await writeFile(file, `${JSON.stringify(flags, null, 2)}\n`)
    return { status: 'passed', summary: `${ctx.options.flag} back to ${JSON.stringify(before ?? null)}` }
  },
  async inspect(ctx) {
    const flags = await readFlags(path.resolve(ctx.cwd, ctx.options.file))
    const now = flags[ctx.options.flag] ?? null
    const before = ctx.recorded.before ?? null
    return now === before ? { state: 'before', detail: `${ctx.options.flag} is ${JSON.stringify(now)}, as before the run` } : { state: 'changed', detail: `${ctx.options.flag} is ${JSON.stringify(now)}, was ${JSON.stringify(before)}` }
  },
})

async function readFlags(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw error
  }
}
