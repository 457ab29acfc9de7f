/** Small Markdown helpers shared by the incident report's sections. Pure. */

/** A date and time in UTC, to the second: `2026-11-25 10:05:00 UTC`; a dash when unknown. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.replace('T', ' ').slice(0, 19)} UTC` : '—'
}

/** The time of day only, to the millisecond (rows of one run's tables share its date). */
export function clock(iso: string | null | undefined): string {
  return iso ? iso.slice(11, 23) : '—'
}

/** Inline code; a backtick inside would end it early, so it is left out. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``
}

/** Text for a table cell: a pipe would start a new cell, a newline a new row. */
export function cell(text: string | null | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')
}
