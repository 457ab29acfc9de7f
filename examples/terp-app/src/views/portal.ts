import { day, html, money, type Html } from './html.js'
import { page } from './layout.js'

export function portalPage(client: { name: string }, orders: { id: number; status: string; placedAt: Date; totalCents: number }[]): Html {
  return page(
    'Your orders',
    html`<section data-testid="vip-portal"><h1>Welcome, ${client.name}</h1>
<h2>Your orders</h2>
${orders.length === 0 ? html`<p class="muted">No orders yet.</p>` : ''}
<table><thead><tr><th>Order</th><th>Status</th><th>Placed</th><th>Total</th></tr></thead><tbody>
${orders.map((o) => html`<tr data-testid="vip-order"><td>#${o.id}</td><td>${o.status}</td><td>${day(o.placedAt)}</td><td>${money(o.totalCents)}</td></tr>`)}
</tbody></table></section>`,
    { portal: client.name },
  )
}
