import { escapeHtml } from '../shared/html.js'

const STYLE = [
  'body{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1d2329}table{border-collapse:collapse;width:100%}',
  'th,td{border:1px solid #e3e6ea;padding:4px 10px;text-align:left;vertical-align:top}.bad{color:#c62828}.good{color:#2e7d32}',
  '.s-passed,.s-rolled-back{color:#2e7d32}.s-failed,.s-rollback-failed,.s-cancelled{color:#c62828}.s-warning{color:#b26a00}',
  '.track{width:30%;min-width:200px}.bar{height:10px;background:#5c6bc0}.bar.s-failed{background:#c62828}.bar.s-warning{background:#b26a00}.ponr{color:#b26a00}',
  'figure{margin:8px 0}figure img{max-width:480px;border:1px solid #e3e6ea}nav a{margin-right:12px}code{background:#f3f4f6;padding:1px 4px}',
  'form.filters{margin:12px 0}form.filters label{margin-right:12px}button{font:inherit;padding:4px 12px}.live{color:#5c6bc0}',
].join('')

/**
 * What pages may load: their own images and data: screenshots, inline style; a script only where
 * the page carries one, by its nonce; forms post only back here.
 */
export function pagePolicy(nonce?: string): string {
  const script = nonce ? `; script-src 'nonce-${nonce}'; connect-src 'self'` : ''
  return `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'${script}`
}

/** Every page's frame: its title, the style, the links between pages, and its script when it has one. */
export function page(title: string, body: string, script?: { nonce: string; code: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rollout: ${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><nav><a href="/">Environments</a><a href="/backups">Backups</a></nav>
<main>
${body}
</main>
${script ? `<script nonce="${script.nonce}">${script.code}</script>` : ''}
</body></html>
`
}
