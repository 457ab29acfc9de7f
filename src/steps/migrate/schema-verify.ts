import { z } from 'zod'
import { defineStepKind, type StepOutcome } from '../../engine/step-kind.js'
import { runCommandStep } from '../command.js'
import { readFingerprintAt } from './database.js'
import { schemaExpectations, checkExpectations } from './expectations.js'

export const schemaVerifyOptions = z.strictObject({
  command: z.union([z.string().min(1), z.literal(false)]).optional().describe('The validation command; the environment\'s migrate.validate (`pnpm validate:schema`) when not set; false for none.'),
  cwd: z.string().optional().describe('Folder the command runs in, relative to the config\'s folder.'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment for the command (DATABASE_URL is set to the environment\'s database).'),
  expect: schemaExpectations.optional().describe('Expectations on the schema fingerprint.'),
  migrateStep: z.string().default('migrate').describe('Id of the migrate step whose fingerprints this compares with.'),
})
export type SchemaVerifyOptions = z.output<typeof schemaVerifyOptions>

export default defineStepKind<SchemaVerifyOptions>({
  kind: 'schema-verify',
  description: 'runs the schema validation command (migrate.validate) and checks the schema fingerprint against expectations',
  options: schemaVerifyOptions,
  async run(ctx): Promise<StepOutcome> {
    const url = ctx.environment.database?.url
    if (url) ctx.redactor.addUrl(url)
    const command = ctx.options.command ?? ctx.environment.migrate.validate
    const parts: string[] = []
    const data: Record<string, unknown> = {}

    if (command !== false) {
      const result = await runCommandStep(ctx, { command, cwd: ctx.options.cwd, env: { ...ctx.options.env, ...(url ? { DATABASE_URL: url } : {}) } })
      data.exitCode = result.exitCode
      if (result.status !== 'passed') return { status: 'failed', summary: `validation: ${result.summary}`, data }
      parts.push('validation passed')
    }

    const migrated = ctx.outputs.get(ctx.options.migrateStep) as { before?: { hash?: string }; after?: { hash?: string } | null } | undefined
    if (!url) {
      if (ctx.options.expect) return { status: 'failed', summary: 'schema expectations are set but the environment has no database.url to read the schema from', data }
      if (!parts.length) return { status: 'warning', summary: 'nothing to check: no validation command (migrate.validate is false) and no database.url to read the schema from', data }
      return { status: 'passed', summary: parts.join('; '), data }
    }
    const fp = await readFingerprintAt(url)
    await ctx.writeEvidence('schema.json', JSON.stringify(fp, null, 2), 'schema fingerprint')
    data.hash = fp.hash
    const problems = ctx.options.expect ? checkExpectations(fp, ctx.options.expect, migrated?.before?.hash) : []
    // The schema must still be what the migration left: a change since then is drift.
    const afterHash = migrated?.after?.hash
    if (afterHash && afterHash !== fp.hash) problems.push(`the schema changed after the migration (fingerprint ${fp.hash.slice(0, 12)}, the migration left ${afterHash.slice(0, 12)})`)
    data.problems = problems
    for (const p of problems) ctx.log(`schema: ${p}`)
    if (problems.length) return { status: 'failed', summary: `schema: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`, data }
    // Only a fingerprint read, with no validation, no expectation and no migration to compare with, checked nothing.
    if (!parts.length && !ctx.options.expect && !afterHash) {
      return { status: 'warning', summary: `nothing to compare: no validation command, no schema expectations and no migration's schema to compare with (schema fingerprint ${fp.hash.slice(0, 12)} kept as evidence)`, data }
    }
    parts.push(ctx.options.expect ? 'schema meets its expectations' : afterHash ? `schema fingerprint ${fp.hash.slice(0, 12)}, as the migration left it` : `schema fingerprint ${fp.hash.slice(0, 12)}`)
    return { status: 'passed', summary: parts.join('; '), data }
  },
})
