import { renderIncident, type IncidentInput } from './incident.js'
import { escapeHtml } from '../shared/html.js'

export { escapeHtml }

/**
 * The incident report as one standalone HTML page: no scripts, no external assets, every value
 * escaped. It renders the Markdown that incident.ts writes (headings, lists, tables, code blocks,
 * bold, inline code, links), so both files always say the same thing. Pure.
 */
export function renderIncidentHtml(source: string | IncidentInput, images: ImageData = () => undefined): string {
  const markdown = typeof source === 'string' ? source : renderIncident(source)
  const title = /^# (.+)$/m.exec(markdown)?.[1] ?? 'Incident report'
  const outcome = /\*\*Outcome:\*\* ([\w-]+)/.exec(markdown)?.[1] ?? 'unknown'
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may load or run: the page is evidence, opened from a run folder or an attachment.
    // Pictures are carried inside the page (data: URLs), so it still loads nothing.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(stripInline(title))}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body class="outcome-${escapeHtml(outcome)}">`,
    '<main>',
    markdownToHtml(markdown, images),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n')
}

const STYLE = [
  'body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d2329}',
  'main{max-width:960px;margin:0 auto;padding:24px 32px;background:#fff;min-height:100vh;box-sizing:border-box}',
  'h1{font-size:24px;border-left:6px solid #888;padding-left:12px}',
  '.outcome-rolled-back h1{border-color:#d08b00}.outcome-rollback-failed h1,.outcome-rolling-back h1{border-color:#c62828}',
  '.outcome-failed h1,.outcome-cancelled h1{border-color:#5c6bc0}.outcome-passed h1{border-color:#2e7d32}',
  'h2{font-size:19px;margin-top:28px;border-bottom:1px solid #e3e6ea;padding-bottom:4px}h3{font-size:16px}',
  'table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #e3e6ea;padding:4px 8px;text-align:left;vertical-align:top}',
  'th{background:#f0f2f5}code{font:12.5px ui-monospace,Menlo,Consolas,monospace;background:#f0f2f5;padding:1px 4px;border-radius:3px}',
  'figure{margin:12px 0}figure img{max-width:100%;border:1px solid #e3e6ea}figcaption{font-size:13px;color:#5f6b76}',
  'pre{background:#1d2329;color:#e8eaed;padding:12px;overflow:auto;border-radius:4px}pre code{background:none;color:inherit;padding:0}',
].join('')


/** Block structure of the Markdown subset, line by line. */
/**
 * The picture behind an image line's path, as a data: URL (the caller reads the run folder); undefined
 * when there is none, and the line becomes a link.
 */
export type ImageData = (src: string) => string | undefined

export function markdownToHtml(markdown: string, images: ImageData = () => undefined): string {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n')
  const out: string[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]!
    if (line.startsWith('```')) {
      const body: string[] = []
      i++
      while (i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i++]!)
      i++ // the closing fence (or the end)
      out.push(`<pre><code>${escapeHtml(body.join('\n'))}</code></pre>`)
      continue
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line)
    if (heading) {
      const level = heading[1]!.length
      out.push(`<h${level}>${inline(heading[2]!)}</h${level}>`)
      i++
      continue
    }
    if (/^\s*[-*] /.test(line)) {
      const items: string[] = []
      while (i < lines.length && /^\s*[-*] /.test(lines[i]!)) items.push(`<li>${inline(lines[i++]!.replace(/^\s*[-*] /, ''))}</li>`)
      out.push(`<ul>\n${items.join('\n')}\n</ul>`)
      continue
    }
    if (line.startsWith('|')) {
      const rows: string[][] = []
      while (i < lines.length && lines[i]!.startsWith('|')) rows.push(splitRow(lines[i++]!))
      out.push(table(rows))
      continue
    }
    const image = IMAGE_LINE.exec(line)
    if (image) {
      out.push(figure(image[1]!, image[2]!, images))
      i++
      continue
    }
    if (line.trim() === '') {
      i++
      continue
    }
    const para: string[] = []
    while (i < lines.length && lines[i]!.trim() !== '' && !/^(```|#{1,6} |\s*[-*] |\|)/.test(lines[i]!)) para.push(lines[i++]!)
    out.push(`<p>${para.map(inline).join('<br>\n')}</p>`)
  }
  return out.join('\n')
}

const IMAGE_LINE = /^!\[([^\]]*)\]\(([^)\s]+)\)$/

/** A picture with its label under it; a link to it when its data is not at hand (or its path is not one to follow). */
function figure(label: string, src: string, images: ImageData): string {
  const data = safeHref(src) ? images(src) : undefined
  if (!data?.startsWith('data:image/')) return `<p>${inline(`[${label}](${src})`)}</p>`
  return `<figure><img src="${escapeHtml(data)}" alt="${escapeHtml(stripInline(label))}"><figcaption>${inline(label)}</figcaption></figure>`
}

/** Cells of a table row; `\|` is a pipe inside a cell. */
function splitRow(line: string): string[] {
  const cells: string[] = []
  let cell = ''
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '')
  for (let k = 0; k < body.length; k++) {
    const c = body[k]!
    if (c === '\\' && body[k + 1] === '|') {
      cell += '|'
      k++
    } else if (c === '|') {
      cells.push(cell.trim())
      cell = ''
    } else cell += c
  }
  cells.push(cell.trim())
  return cells
}

function table(rows: string[][]): string {
  const isRule = (r: string[]) => r.every((c) => /^:?-{3,}:?$/.test(c))
  const hasHeader = rows.length > 1 && isRule(rows[1]!)
  const head = hasHeader ? `<thead><tr>${rows[0]!.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead>\n` : ''
  const body = (hasHeader ? rows.slice(2) : rows).filter((r) => !isRule(r))
  return `<table>\n${head}<tbody>\n${body.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('\n')}\n</tbody>\n</table>`
}

/** Links first (a label may hold code), then in each piece code spans (literal) and bold; everything escaped. */
function inline(text: string): string {
  return text
    .split(/(\[(?:[^\]`]|`[^`]*`)+\]\([^)\s]+\))/)
    .map((part, k) => {
      if (k % 2 === 0) return spans(part)
      const [, label, href] = /^\[(.*)\]\(([^)\s]+)\)$/.exec(part)!
      return safeHref(href!) ? `<a href="${escapeHtml(href!)}">${spans(label!)}</a>` : `${spans(label!)} (${escapeHtml(href!)})`
    })
    .join('')
}

function spans(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, k) => (k % 2 === 1 ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : escapeHtml(part).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')))
    .join('')
}

/** Evidence paths inside the run folder and web links; never `javascript:` or other schemes. */
function safeHref(href: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]
  return scheme === undefined ? !href.startsWith('//') : /^https?$/i.test(scheme)
}

function stripInline(text: string): string {
  return text.replace(/`/g, '').replace(/\*\*/g, '')
}
