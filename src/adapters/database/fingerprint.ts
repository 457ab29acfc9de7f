import { createHash } from 'node:crypto'

/**
 * The shape of one database (no data): what a migration changes and what a restore must put back.
 * Read from information_schema, in a canonical order, so two reads of the same shape are equal and
 * hash the same, whichever server and whichever schema name they come from.
 */
export interface SchemaFingerprint {
  /** Schema it was read from. Not part of `hash`: a copy restored under another name hashes the same. */
  database: string
  tables: Record<string, TableShape>
  views: Record<string, { definition: string; checkOption: string; updatable: string }>
  triggers: Record<string, TriggerShape>
  /** Keyed "PROCEDURE name" / "FUNCTION name": the two live in separate namespaces. */
  routines: Record<string, RoutineShape>
  events: Record<string, EventShape>
  /** sha256 (hex) of the canonical JSON of everything above except `database`. */
  hash: string
}

export interface TableShape {
  engine: string | null
  collation: string | null
  /** In table order: a column moved is a change. */
  columns: ColumnShape[]
  indexes: Record<string, IndexShape>
  foreignKeys: Record<string, ForeignKeyShape>
  checks: Record<string, string>
}

export interface ColumnShape {
  name: string
  /** COLUMN_TYPE as the server spells it: int(11), varchar(40), enum('a','b'). */
  type: string
  nullable: boolean
  /** COLUMN_DEFAULT as reported; null when there is none. */
  default: string | null
  /** auto_increment, on update current_timestamp(), VIRTUAL GENERATED… */
  extra: string
  collation: string | null
  generated: string | null
}

export interface IndexShape {
  unique: boolean
  type: string
  /** Columns in index order; a prefix length shows as name(10). */
  columns: string[]
}

export interface ForeignKeyShape {
  columns: string[]
  /** Table name; "schema.table" when it points into another schema. */
  references: string
  referencedColumns: string[]
  onUpdate: string
  onDelete: string
}

export interface TriggerShape {
  table: string
  timing: string
  event: string
  order: number
  statement: string
}

export interface RoutineShape {
  type: string
  returns: string | null
  parameters: string[]
  definition: string | null
  deterministic: string
  dataAccess: string
}

export interface EventShape {
  type: string
  interval: string | null
  status: string
  onCompletion: string
  definition: string
}

/** The part of a mysql2 connection (promise API) this module needs. */
export interface QueryConnection {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>
}

type Row = Record<string, unknown>

async function rows(conn: QueryConnection, sql: string, values: unknown[]): Promise<Row[]> {
  const [result] = await conn.query(sql, values)
  return result as Row[]
}

/** information_schema columns can arrive as Buffers (binary collations on some servers). */
function str(value: unknown): string {
  if (value === null || value === undefined) return ''
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value)
}

function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : str(value)
}

/**
 * Reads the fingerprint of `database`. Definers are left out on purpose: a restore may strip
 * DEFINER clauses (a user without SUPER cannot recreate them), and the shape is still the same.
 */
export async function readSchemaFingerprint(conn: QueryConnection, database: string): Promise<SchemaFingerprint> {
  const db = [database]
  const tables: Record<string, TableShape> = {}
  const views: SchemaFingerprint['views'] = {}

  for (const r of await rows(
    conn,
    `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, ENGINE AS engine, TABLE_COLLATION AS collation
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`,
    db,
  )) {
    // Views get their own section below; MariaDB also lists SYSTEM VERSIONED and SEQUENCE types as tables.
    if (str(r.type) === 'VIEW') continue
    tables[str(r.name)] = { engine: strOrNull(r.engine), collation: strOrNull(r.collation), columns: [], indexes: {}, foreignKeys: {}, checks: {} }
  }

  const columnRows = await rows(
    conn,
    `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
            COLUMN_DEFAULT AS dflt, EXTRA AS extra, COLLATION_NAME AS collation,
            GENERATION_EXPRESSION AS generated, ORDINAL_POSITION AS pos
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    db,
  )
  for (const r of columnRows) {
    const table = tables[str(r.tbl)]
    if (!table) continue // a view's columns
    const generated = strOrNull(r.generated)
    table.columns.push({
      name: str(r.name),
      type: str(r.type),
      nullable: str(r.nullable) === 'YES',
      default: strOrNull(r.dflt),
      extra: str(r.extra),
      collation: strOrNull(r.collation),
      generated: generated === '' ? null : generated,
    })
  }

  const indexRows = await rows(
    conn,
    `SELECT TABLE_NAME AS tbl, INDEX_NAME AS name, NON_UNIQUE AS nonUnique, INDEX_TYPE AS type,
            COLUMN_NAME AS col, SUB_PART AS subPart, COLLATION AS dir, SEQ_IN_INDEX AS seq
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    db,
  )
  for (const r of indexRows) {
    const table = tables[str(r.tbl)]
    if (!table) continue
    const name = str(r.name)
    const index = (table.indexes[name] ??= { unique: Number(r.nonUnique) === 0, type: str(r.type), columns: [] })
    // A functional index part (MySQL 8) has no column name.
    let part = strOrNull(r.col) ?? '(expression)'
    if (r.subPart !== null && r.subPart !== undefined) part += `(${str(r.subPart)})`
    if (str(r.dir) === 'D') part += ' DESC'
    index.columns.push(part)
  }

  // Two plain reads joined here: MariaDB 10.11 was seen to crash (signal 11) on the JOIN of these
  // two information_schema views while another session dropped a database. A check must never
  // take the staging server down.
  const ruleRows = await rows(
    conn,
    `SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, UPDATE_RULE AS onUpdate, DELETE_RULE AS onDelete
       FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
    db,
  )
  const rules = new Map(ruleRows.map((r) => [`${str(r.tbl)}\u0000${str(r.name)}`, r]))
  const keyRows = await rows(
    conn,
    `SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, COLUMN_NAME AS col,
            REFERENCED_TABLE_SCHEMA AS refSchema, REFERENCED_TABLE_NAME AS refTable, REFERENCED_COLUMN_NAME AS refCol
       FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
    db,
  )
  const fkRows: Row[] = keyRows.flatMap((k) => {
    const rule = rules.get(`${str(k.tbl)}\u0000${str(k.name)}`)
    return rule ? [{ ...k, onUpdate: rule.onUpdate, onDelete: rule.onDelete }] : []
  })
  for (const r of fkRows) {
    const table = tables[str(r.tbl)]
    if (!table) continue
    const refSchema = str(r.refSchema)
    const fk = (table.foreignKeys[str(r.name)] ??= {
      columns: [],
      references: refSchema === database ? str(r.refTable) : `${refSchema}.${str(r.refTable)}`,
      referencedColumns: [],
      onUpdate: str(r.onUpdate),
      onDelete: str(r.onDelete),
    })
    fk.columns.push(str(r.col))
    fk.referencedColumns.push(str(r.refCol))
  }

  // CHECK constraints: MariaDB ≥ 10.2 and MySQL ≥ 8.0.16 list them; older servers lack the table.
  try {
    // Joined here rather than in SQL, for the same reason as the foreign keys above.
    const clauses = await rows(conn, 'SELECT CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?', db)
    const owners = await rows(
      conn,
      "SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND CONSTRAINT_TYPE = 'CHECK'",
      db,
    )
    const checkRows = clauses.flatMap((c) => owners.filter((o) => str(o.name) === str(c.name)).map((o) => ({ tbl: o.tbl, name: c.name, clause: c.clause })))
    for (const r of checkRows) {
      const table = tables[str(r.tbl)]
      if (table) table.checks[str(r.name)] = str(r.clause)
    }
  } catch {
    // no CHECK_CONSTRAINTS on this server: nothing to record
  }

  for (const r of await rows(
    conn,
    `SELECT TABLE_NAME AS name, VIEW_DEFINITION AS def, CHECK_OPTION AS chk, IS_UPDATABLE AS upd
       FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?`,
    db,
  )) {
    views[str(r.name)] = { definition: unqualify(str(r.def), database), checkOption: str(r.chk), updatable: str(r.upd) }
  }

  const triggers: SchemaFingerprint['triggers'] = {}
  for (const r of await rows(
    conn,
    `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl, ACTION_TIMING AS timing,
            EVENT_MANIPULATION AS event, ACTION_ORDER AS ord, ACTION_STATEMENT AS stmt
       FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?`,
    db,
  )) {
    triggers[str(r.name)] = {
      table: str(r.tbl),
      timing: str(r.timing),
      event: str(r.event),
      order: Number(r.ord ?? 0),
      statement: unqualify(str(r.stmt), database),
    }
  }

  const parameters = new Map<string, string[]>()
  for (const r of await rows(
    conn,
    `SELECT SPECIFIC_NAME AS name, ROUTINE_TYPE AS type, PARAMETER_MODE AS mode,
            PARAMETER_NAME AS pname, DTD_IDENTIFIER AS dtd
       FROM information_schema.PARAMETERS
      WHERE SPECIFIC_SCHEMA = ? AND ORDINAL_POSITION > 0
      ORDER BY SPECIFIC_NAME, ORDINAL_POSITION`,
    db,
  )) {
    const key = `${str(r.type)} ${str(r.name)}`
    const list = parameters.get(key) ?? []
    list.push([strOrNull(r.mode), str(r.pname), str(r.dtd)].filter(Boolean).join(' '))
    parameters.set(key, list)
  }

  const routines: SchemaFingerprint['routines'] = {}
  for (const r of await rows(
    conn,
    `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type, DTD_IDENTIFIER AS returns,
            ROUTINE_DEFINITION AS def, IS_DETERMINISTIC AS det, SQL_DATA_ACCESS AS access
       FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`,
    db,
  )) {
    const key = `${str(r.type)} ${str(r.name)}`
    routines[key] = {
      type: str(r.type),
      returns: strOrNull(r.returns),
      parameters: parameters.get(key) ?? [],
      // null when the reading user may not see the body
      definition: r.def === null || r.def === undefined ? null : unqualify(str(r.def), database),
      deterministic: str(r.det),
      dataAccess: str(r.access),
    }
  }

  const events: SchemaFingerprint['events'] = {}
  for (const r of await rows(
    conn,
    `SELECT EVENT_NAME AS name, EVENT_TYPE AS type, INTERVAL_VALUE AS iv, INTERVAL_FIELD AS field,
            STATUS AS status, ON_COMPLETION AS oc, EVENT_DEFINITION AS def
       FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`,
    db,
  )) {
    // Start and end times are left out: they are instants, not shape.
    events[str(r.name)] = {
      type: str(r.type),
      interval: r.iv === null || r.iv === undefined ? null : `${str(r.iv)} ${str(r.field)}`,
      status: str(r.status),
      onCompletion: str(r.oc),
      definition: unqualify(str(r.def), database),
    }
  }

  const shape = { tables, views, triggers, routines, events }
  return { database, ...shape, hash: fingerprintHash(shape) }
}

/** Servers write `db`.`table` into view and trigger bodies; the schema's own name is not shape. */
function unqualify(text: string, database: string): string {
  return text.split(`\`${database}\`.`).join('')
}

/** Canonical JSON: object keys sorted at every level, arrays kept in their (meaningful) order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The hash of a fingerprint's shape; also usable to check a stored fingerprint was not altered. */
export function fingerprintHash(shape: Pick<SchemaFingerprint, 'tables' | 'views' | 'triggers' | 'routines' | 'events'>): string {
  const { tables, views, triggers, routines, events } = shape
  return createHash('sha256').update(canonicalJson({ tables, views, triggers, routines, events })).digest('hex')
}

/** "INT(11) NOT NULL DEFAULT 0 auto_increment" — a column as a person reads it in a diff. */
export function describeColumn(c: ColumnShape): string {
  const parts = [c.type.toUpperCase(), c.nullable ? 'NULL' : 'NOT NULL']
  // MariaDB reports the literal word NULL as the default of a nullable column without one.
  if (c.default !== null && !(c.nullable && c.default === 'NULL')) parts.push(`DEFAULT ${c.default}`)
  if (c.generated) parts.push(`AS (${c.generated})`)
  if (c.extra) parts.push(c.extra)
  return parts.join(' ')
}

function describeIndex(i: IndexShape): string {
  return `${i.unique ? 'UNIQUE ' : ''}(${i.columns.join(', ')})${i.type && i.type !== 'BTREE' ? ` ${i.type}` : ''}`
}

function describeForeignKey(f: ForeignKeyShape): string {
  return `(${f.columns.join(', ')}) → ${f.references}(${f.referencedColumns.join(', ')}) ON UPDATE ${f.onUpdate} ON DELETE ${f.onDelete}`
}

function routineWord(key: string): string {
  const [type, ...name] = key.split(' ')
  return `${(type ?? '').toLowerCase()} ${name.join(' ')}`
}

/** Keys of two records: those only in `a`, only in `b`, and in both — each sorted. */
function split<T>(a: Record<string, T>, b: Record<string, T>): { removed: string[]; added: string[]; common: string[] } {
  const sort = (xs: string[]) => xs.sort()
  return {
    removed: sort(Object.keys(a).filter((k) => !(k in b))),
    added: sort(Object.keys(b).filter((k) => !(k in a))),
    common: sort(Object.keys(a).filter((k) => k in b)),
  }
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b)

/**
 * What changed from `before` to `after`, one readable line per change, in a stable order:
 * "added table order_notes", "orders: added column priority INT NULL", "orders: dropped index idx_x".
 * Empty when the shapes are equal.
 */
export function diffFingerprints(before: SchemaFingerprint, after: SchemaFingerprint): string[] {
  const out: string[] = []
  const t = split(before.tables, after.tables)
  for (const name of t.added) out.push(`added table ${name} (${after.tables[name]!.columns.length} columns)`)
  for (const name of t.removed) out.push(`dropped table ${name}`)
  for (const name of t.common) out.push(...diffTable(name, before.tables[name]!, after.tables[name]!))

  const v = split(before.views, after.views)
  for (const name of v.added) out.push(`added view ${name}`)
  for (const name of v.removed) out.push(`dropped view ${name}`)
  for (const name of v.common) if (!same(before.views[name], after.views[name])) out.push(`changed view ${name}`)

  const tr = split(before.triggers, after.triggers)
  for (const name of tr.added) {
    const x = after.triggers[name]!
    out.push(`added trigger ${name} (${x.timing} ${x.event} on ${x.table})`)
  }
  for (const name of tr.removed) out.push(`dropped trigger ${name}`)
  for (const name of tr.common) if (!same(before.triggers[name], after.triggers[name])) out.push(`changed trigger ${name}`)

  const r = split(before.routines, after.routines)
  for (const key of r.added) out.push(`added ${routineWord(key)}`)
  for (const key of r.removed) out.push(`dropped ${routineWord(key)}`)
  for (const key of r.common) if (!same(before.routines[key], after.routines[key])) out.push(`changed ${routineWord(key)}`)

  const e = split(before.events, after.events)
  for (const name of e.added) out.push(`added event ${name}`)
  for (const name of e.removed) out.push(`dropped event ${name}`)
  for (const name of e.common) if (!same(before.events[name], after.events[name])) out.push(`changed event ${name}`)
  return out
}

function diffTable(table: string, a: TableShape, b: TableShape): string[] {
  const out: string[] = []
  const line = (text: string) => out.push(`${table}: ${text}`)
  if (a.engine !== b.engine) line(`engine changed from ${a.engine} to ${b.engine}`)
  if (a.collation !== b.collation) line(`collation changed from ${a.collation} to ${b.collation}`)

  const colsA = new Map(a.columns.map((c) => [c.name, c]))
  const colsB = new Map(b.columns.map((c) => [c.name, c]))
  for (const c of b.columns) if (!colsA.has(c.name)) line(`added column ${c.name} ${describeColumn(c)}`)
  for (const c of a.columns) if (!colsB.has(c.name)) line(`dropped column ${c.name}`)
  for (const c of a.columns) {
    const d = colsB.get(c.name)
    if (!d || same(c, d)) continue
    const from = describeColumn(c)
    const to = describeColumn(d)
    if (from !== to) line(`changed column ${c.name} from ${from} to ${to}`)
    else if (c.collation !== d.collation) line(`changed column ${c.name} collation from ${c.collation} to ${d.collation}`)
  }
  // Only the relative order of the columns both sides have: an added column shifts the rest.
  const orderA = a.columns.map((c) => c.name).filter((n) => colsB.has(n))
  const orderB = b.columns.map((c) => c.name).filter((n) => colsA.has(n))
  if (!same(orderA, orderB)) line(`column order changed from (${orderA.join(', ')}) to (${orderB.join(', ')})`)

  const i = split(a.indexes, b.indexes)
  for (const n of i.added) line(`added index ${n} ${describeIndex(b.indexes[n]!)}`)
  for (const n of i.removed) line(`dropped index ${n}`)
  for (const n of i.common) {
    if (!same(a.indexes[n], b.indexes[n])) line(`changed index ${n} from ${describeIndex(a.indexes[n]!)} to ${describeIndex(b.indexes[n]!)}`)
  }

  const f = split(a.foreignKeys, b.foreignKeys)
  for (const n of f.added) line(`added foreign key ${n} ${describeForeignKey(b.foreignKeys[n]!)}`)
  for (const n of f.removed) line(`dropped foreign key ${n}`)
  for (const n of f.common) {
    if (!same(a.foreignKeys[n], b.foreignKeys[n])) line(`changed foreign key ${n} to ${describeForeignKey(b.foreignKeys[n]!)}`)
  }

  const k = split(a.checks, b.checks)
  for (const n of k.added) line(`added check ${n} (${b.checks[n]})`)
  for (const n of k.removed) line(`dropped check ${n}`)
  for (const n of k.common) if (a.checks[n] !== b.checks[n]) line(`changed check ${n} to (${b.checks[n]})`)
  return out
}
