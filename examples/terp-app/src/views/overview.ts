import type { CalendarEvent } from '../services/calendar.js'
import type { ClientDetails, ClientSummary } from '../services/clients.js'
import type { InventoryItem } from '../services/inventory.js'
import { day, dayTime, html, money, type Html } from './html.js'
import { page, type Nav } from './layout.js'

export function inventoryPage(items: InventoryItem[], opts: { total: number; search: string; page: number; pages: number }, nav: Nav): Html {
  const link = (p: number) => `/inventory?page=${p}${opts.search ? `&q=${encodeURIComponent(opts.search)}` : ''}`
  return page(
    'Inventory',
    html`<h1>Inventory <span class="muted">${opts.total.toLocaleString('en-US')} batches</span></h1>
<form method="get" action="/inventory"><input name="q" placeholder="Search SKU or name" value="${opts.search}" style="max-width:320px"></form>
<table><thead><tr><th>SKU</th><th>Product</th><th>Category</th><th>Price</th><th>In stock</th></tr></thead><tbody>
${items.map(
  (p) => html`<tr data-testid="inventory-row"><td>${p.sku}</td><td>${p.name}</td><td>${p.category}</td><td>${money(p.priceCents)}</td><td${p.stock <= p.reorderLevel ? html` class="low" title="at or below the reorder level of ${p.reorderLevel}"` : ''}>${p.stock}</td></tr>`,
)}</tbody></table>
<p>${opts.page > 1 ? html`<a href="${link(opts.page - 1)}">← previous</a> ` : ''}page ${opts.page} of ${opts.pages}${opts.page < opts.pages ? html` <a href="${link(opts.page + 1)}">next →</a>` : ''}</p>`,
    nav,
  )
}

export function clientsPage(list: ClientSummary[], nav: Nav): Html {
  return page(
    'Clients',
    html`<h1>Clients <span class="muted">(${list.length})</span></h1>
<table><thead><tr><th>Client</th><th>City</th><th>Tier</th></tr></thead><tbody>
${list.map((c) => html`<tr data-testid="client-row-${c.id}"><td><a href="/clients/${c.id}" data-testid="client-link">${c.name}</a></td><td>${c.city}</td><td>${c.tier}</td></tr>`)}
</tbody></table>`,
    nav,
  )
}

export function clientPage(c: ClientDetails, nav: Nav): Html {
  return page(
    c.name,
    html`<section class="card" data-testid="client-details"><h1>${c.name}</h1>
<p>${c.email} · ${c.phone} · ${c.city}<br>Tier: ${c.tier}${c.portalAccess ? ' · client portal access' : ''}</p>
<p>Orders: <b>${c.orderCount.toLocaleString('en-US')}</b> · Lifetime value: <b>${money(c.lifetimeCents)}</b></p></section>
<h2>Latest orders</h2>
<table><thead><tr><th>Order</th><th>Status</th><th>Placed</th><th>Total</th></tr></thead><tbody>
${c.recentOrders.map((o) => html`<tr><td><a href="/orders/${o.id}">#${o.id}</a></td><td>${o.status}</td><td>${day(o.placedAt)}</td><td>${money(o.totalCents)}</td></tr>`)}
</tbody></table>`,
    nav,
  )
}

export function calendarPage(c: { upcoming: boolean; events: CalendarEvent[] }, nav: Nav): Html {
  return page(
    'Calendar',
    html`<h1>Calendar</h1>
<p><button type="button" class="primary" data-testid="create-event">Create Event</button></p>
<p class="muted">${c.upcoming ? 'Upcoming events' : 'No upcoming events; the latest ones'}</p>
<ul>${c.events.map((e) => html`<li data-testid="calendar-event"><b>${dayTime(e.startsAt)}</b> ${e.title} <span class="muted">(${e.kind})</span></li>`)}</ul>`,
    nav,
  )
}
