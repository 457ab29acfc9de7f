/**
 * A migration's schema diff (diffFingerprints' lines) as one phrase for a summary: "would add
 * column order_lines.discount; 1 table altered". Pure.
 */
export function wouldChange(diff: readonly string[]): string {
  if (!diff.length) return 'no schema change'
  const tables = { added: 0, dropped: 0, altered: new Set<string>() }
  let objects = 0
  for (const line of diff) {
    const onTable = /^([^\s:]+): /.exec(line)
    if (onTable) tables.altered.add(onTable[1]!)
    else if (line.startsWith('added table ')) tables.added++
    else if (line.startsWith('dropped table ')) tables.dropped++
    else objects++
  }
  const headline = diff.slice(0, 2).map(phrase).join(', ')
  const counts = [
    tables.altered.size ? `${plural(tables.altered.size, 'table')} altered` : '',
    tables.added ? `${plural(tables.added, 'table')} added` : '',
    tables.dropped ? `${plural(tables.dropped, 'table')} dropped` : '',
    objects ? `${plural(objects, 'view, trigger, routine or event', 'views, triggers, routines or events')} changed` : '',
  ].filter(Boolean)
  return `would ${headline}${diff.length > 2 ? ` (+${diff.length - 2} more)` : ''}; ${counts.join(', ')}`
}

/** One diff line as a verb phrase: "order_lines: added column discount INT" → "add column order_lines.discount". */
function phrase(line: string): string {
  const onTable = /^([^\s:]+): (added|dropped|changed) (column|index|foreign key|check) (\S+)/.exec(line)
  if (onTable) return `${verb(onTable[2]!)} ${onTable[3]} ${onTable[1]}.${onTable[4]}`
  const whole = /^(added|dropped|changed) (table|view|trigger|procedure|function|event) (\S+)/.exec(line)
  if (whole) return `${verb(whole[1]!)} ${whole[2]} ${whole[3]}`
  return `change ${line}`
}

function verb(past: string): string {
  return past === 'added' ? 'add' : past === 'dropped' ? 'drop' : 'change'
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
