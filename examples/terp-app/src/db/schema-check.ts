import { getTableConfig, type MySqlTable } from 'drizzle-orm/mysql-core'
import type { Pool } from 'mysql2'

/** Tables and columns the code declares that the database lacks; extra ones in the database are fine. */
export async function schemaDifferences(pool: Pool, tables: MySqlTable[]): Promise<{ problems: string[]; tables: number; columns: number }> {
  const [rows] = await pool.promise().query('SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()')
  const present = new Map<string, Set<string>>()
  for (const { t, c } of rows as { t: string; c: string }[]) {
    if (!present.has(t)) present.set(t, new Set())
    present.get(t)!.add(c)
  }
  const problems: string[] = []
  let columns = 0
  for (const table of tables) {
    const config = getTableConfig(table)
    const have = present.get(config.name)
    columns += config.columns.length
    if (!have) {
      problems.push(`table ${config.name} is missing`)
      continue
    }
    for (const column of config.columns) if (!have.has(column.name)) problems.push(`column ${config.name}.${column.name} is missing`)
  }
  return { problems, tables: tables.length, columns }
}
