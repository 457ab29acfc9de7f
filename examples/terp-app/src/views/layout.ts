import { html, Html } from './html.js'

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f5f6f8}
header{display:flex;gap:18px;align-items:center;background:#1f3a5f;color:#fff;padding:10px 24px}
header a{color:#dce6f3;text-decoration:none} header strong{margin-right:12px}
header form{margin-left:auto} header button{background:none;border:1px solid #8aa4c4;color:#fff;border-radius:4px;padding:3px 10px;cursor:pointer}
main{max-width:1100px;margin:24px auto;padding:0 24px}
table{border-collapse:collapse;width:100%;background:#fff} th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e3e6ea}
.metrics{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-bottom:24px}
.metric{background:#fff;border-radius:6px;padding:14px;box-shadow:0 1px 2px #0001} .metric b{display:block;font-size:26px}
form.card,.card{background:#fff;border-radius:6px;padding:18px;box-shadow:0 1px 2px #0001;max-width:560px}
label{display:block;margin:10px 0 4px} input,select,textarea{font:inherit;padding:6px;width:100%;box-sizing:border-box}
button.primary{margin-top:14px;background:#1f6feb;color:#fff;border:0;border-radius:4px;padding:8px 16px;font:inherit;cursor:pointer}
.notice{background:#e6f4ea;border:1px solid #9bd3ae;padding:10px 14px;border-radius:6px;margin-bottom:16px}
.error{background:#fdecea;border:1px solid #f3a59d;padding:10px 14px;border-radius:6px;margin-bottom:16px}
.low{color:#b3261e;font-weight:600} .muted{color:#66707c}
.metric .label{text-transform:uppercase;font-size:12px;letter-spacing:.04em;color:#66707c}
`

/** The staff navigation; null for pages outside the staff area (logins, the VIP portal). */
export type Nav = { user: string } | { portal: string } | null

export function page(title: string, body: Html, nav: Nav = null): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · TERP</title><link rel="icon" href="data:,"><style>${new Html(STYLE)}</style></head>
<body>${navBar(nav)}<main>${body}</main></body></html>`
}

function navBar(nav: Nav): Html {
  if (!nav) return html`<header><strong>TERP</strong></header>`
  if ('portal' in nav) {
    return html`<header><strong>TERP client portal</strong><span>${nav.portal}</span>
<form method="post" action="/vip-portal/logout"><button>Log out</button></form></header>`
  }
  return html`<header><strong>TERP</strong>
<a href="/dashboard">Dashboard</a><a href="/sales">Orders</a><a href="/orders/new">New order</a><a href="/inventory">Inventory</a><a href="/relationships">Clients</a><a href="/calendar">Calendar</a>
<form method="post" action="/logout"><span class="muted">${nav.user}</span> <button>Log out</button></form></header>`
}
