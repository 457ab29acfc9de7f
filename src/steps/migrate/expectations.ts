import { z } from 'zod'
import type { SchemaFingerprint } from '../../adapters/database/fingerprint.js'

/** What the schema must look like after the migration. Every key is optional. */
export const schemaExpectations = z.strictObject({
  tables: z.array(z.string().min(1)).optional().describe('Tables that must exist.'),
  absentTables: z.array(z.string().min(1)).optional().describe('Tables that must not exist (dropped by the migration).'),
  columns: z.record(z.string(), z.array(z.string().min(1))).optional().describe('Columns that must exist, by table: { orders: [\'priority\'] }.'),
  indexes: z.record(z.string(), z.array(z.string().min(1))).optional().describe('Indexes that must exist, by table.'),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest').optional().describe('The exact fingerprint hash (sha256 hex) the schema must have.'),
  changed: z.boolean().optional().describe('true: the migration must have changed the schema; false: it must not have.'),
})
export type SchemaExpectations = z.output<typeof schemaExpectations>

/** Each unmet expectation as a line; empty when all hold. `beforeHash` is the migrate step's. */
export function checkExpectations(fp: SchemaFingerprint, expect: SchemaExpectations, beforeHash?: string): string[] {
  const problems: string[] = []
  for (const t of expect.tables ?? []) if (!fp.tables[t]) problems.push(`table ${t} is missing`)
  for (const t of expect.absentTables ?? []) if (fp.tables[t]) problems.push(`table ${t} still exists`)
  for (const [t, cols] of Object.entries(expect.columns ?? {})) {
    const table = fp.tables[t]
    if (!table) {
      problems.push(`table ${t} is missing (expected columns ${cols.join(', ')})`)
      continue
    }
    for (const c of cols) if (!table.columns.some((x) => x.name === c)) problems.push(`${t}: column ${c} is missing`)
  }
  for (const [t, names] of Object.entries(expect.indexes ?? {})) {
    const table = fp.tables[t]
    if (!table) {
      problems.push(`table ${t} is missing (expected indexes ${names.join(', ')})`)
      continue
    }
    for (const n of names) if (!table.indexes[n]) problems.push(`${t}: index ${n} is missing`)
  }
  if (expect.hash && fp.hash !== expect.hash) problems.push(`fingerprint is ${fp.hash}, expected ${expect.hash}`)
  if (expect.changed !== undefined) {
    if (!beforeHash) problems.push('expected changed, but there is no fingerprint from before the migration (no migrate step ran)')
    else if (expect.changed && fp.hash === beforeHash) problems.push('expected the migration to change the schema, but it is unchanged')
    else if (!expect.changed && fp.hash !== beforeHash) problems.push('expected no schema change, but the schema changed')
  }
  return problems
}
