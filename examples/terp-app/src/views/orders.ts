import type { OrderDetails, OrderRow } from '../services/orders.js'
import { PRIORITIES } from '../services/orders.js'
import { day, dayTime, html, money, type Html } from './html.js'
import { page, type Nav } from './layout.js'

export function orderTable(rows: OrderRow[]): Html {
  const withPriority = rows.some((r) => r.priority !== undefined)
  return html`<table data-testid="orders-table"><thead><tr><th>Order</th><th>Client</th><th>Status</th>${withPriority ? html`<th>Priority</th>` : ''}<th>Placed</th><th>Total</th></tr></thead><tbody>
${rows.map(
  (o) => html`<tr data-testid="order-row-${o.id}"><td><a href="/orders/${o.id}">#${o.id}</a></td><td><a href="/clients/${o.clientId}">${o.clientName}</a></td><td>${o.status}</td>${withPriority ? html`<td>${o.priority}</td>` : ''}<td>${day(o.placedAt)}</td><td>${money(o.totalCents)}</td></tr>`,
)}</tbody></table>`
}

export function ordersPage(rows: OrderRow[], paging: { page: number; pages: number; total: number }, nav: Nav): Html {
  return page(
    'Orders',
    html`<h1>Orders <span class="muted">(${paging.total.toLocaleString('en-US')})</span></h1>
<p><a href="/sales?tab=create-order">New order</a></p>
${orderTable(rows)}
<p>${paging.page > 1 ? html`<a href="/sales?page=${paging.page - 1}">← newer</a> ` : ''}page ${paging.page} of ${paging.pages}${paging.page < paging.pages ? html` <a href="/sales?page=${paging.page + 1}">older →</a>` : ''}</p>`,
    nav,
  )
}

export interface OrderForm {
  clients: { id: number; name: string }[]
  clientId?: number
  sku: string
  qty: string
  /** Shown when the release has order priority. */
  priority?: string
  error?: string
}

export function newOrderPage(f: OrderForm, nav: Nav): Html {
  const selected = f.clientId ?? f.clients[0]?.id
  return page(
    'Create Sales Order',
    html`<h1>Create Sales Order</h1>
${f.error ? html`<p class="error" role="alert">${f.error}</p>` : ''}
<form class="card" method="post" action="/orders">
  <label for="client">Client</label>
  <select id="client" name="clientId" data-testid="client-select" required>
    ${f.clients.map((c) => html`<option value="${c.id}"${c.id === selected ? html` selected` : ''}>${c.name}</option>`)}
  </select>
  <label for="sku">Item SKU</label>
  <input id="sku" name="sku" required value="${f.sku}" data-testid="order-item-sku">
  <label for="qty">Quantity</label>
  <input id="qty" name="qty" type="number" min="1" max="999" required value="${f.qty}" data-testid="order-item-qty">
  ${f.priority !== undefined
    ? html`<label for="priority">Priority</label><select id="priority" name="priority" data-testid="order-priority">${PRIORITIES.map((p) => html`<option${p === f.priority ? html` selected` : ''}>${p}</option>`)}</select>`
    : ''}
  <button class="primary" type="submit" data-testid="order-submit">Place order</button>
</form>`,
    nav,
  )
}

export function orderPage(o: OrderDetails, created: boolean, nav: Nav): Html {
  const withDiscount = o.lines.some((l) => l.discountCents !== undefined)
  return page(
    `Order #${o.id}`,
    html`${created ? html`<p class="notice" data-testid="order-created">Order #${o.id} created.</p>` : ''}
<h1>Order #${o.id}</h1>
<section class="card" data-testid="order-details">
  <p>Client: <a href="/clients/${o.clientId}">${o.clientName}</a><br>Status: ${o.status}${o.priority !== undefined ? html`<br>Priority: <span data-testid="order-priority-value">${o.priority}</span>` : ''}<br>
  Placed: ${dayTime(o.placedAt)} UTC<br>Total: <b>${money(o.totalCents)}</b></p>
</section>
<h2>Lines</h2>
<table><thead><tr><th>SKU</th><th>Product</th><th>Qty</th><th>Unit price</th>${withDiscount ? html`<th>Discount</th>` : ''}</tr></thead><tbody>
${o.lines.map((l) => html`<tr data-testid="order-line"><td>${l.sku}</td><td>${l.name}</td><td>${l.qty}</td><td>${money(l.unitPriceCents)}</td>${withDiscount ? html`<td>${money(l.discountCents ?? 0)}</td>` : ''}</tr>`)}
</tbody></table>
${o.notes ? notesSection(o.id, o.notes) : ''}`,
    nav,
  )
}

function notesSection(orderId: number, notes: NonNullable<OrderDetails['notes']>): Html {
  return html`<h2>Notes</h2>
${notes.length === 0 ? html`<p class="muted">No notes yet.</p>` : ''}
${notes.map((n) => html`<div class="card" data-testid="order-note"><p>${n.body}</p><p class="muted">${n.author}, ${dayTime(n.createdAt)} UTC</p></div>`)}
<form class="card" method="post" action="/orders/${orderId}/notes">
  <label for="note">Add a note</label>
  <textarea id="note" name="body" rows="3" required data-testid="order-note-body"></textarea>
  <button class="primary" type="submit" data-testid="order-note-submit">Add note</button>
</form>`
}
