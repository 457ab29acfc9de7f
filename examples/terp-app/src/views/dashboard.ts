import type { DashboardSummary } from '../services/dashboard.js'
import type { OrderRow } from '../services/orders.js'
import { html, money, type Html } from './html.js'
import { page, type Nav } from './layout.js'
import { orderTable } from './orders.js'

export function dashboardPage(s: DashboardSummary, recent: OrderRow[], nav: Nav): Html {
  // Labels are upper-cased by CSS, as TERP's: the page shows OPEN ORDERS for "Open Orders".
  const metric = (label: string, value: string) => html`<div class="metric" data-testid="dashboard-metric"><span class="label">${label}</span><b>${value}</b></div>`
  return page(
    'Dashboard',
    html`<section data-testid="dashboard"><h1>Dashboard</h1>
<div class="metrics">
  ${metric('Orders', s.orders.toLocaleString('en-US'))}
  ${metric('Open Orders', s.openOrders.toLocaleString('en-US'))}
  ${metric('Revenue, last 30 days', money(s.revenue30dCents))}
  ${metric('Clients', s.clients.toLocaleString('en-US'))}
  ${metric('Products to reorder', s.lowStockProducts.toLocaleString('en-US'))}
  ${metric('Events next 7 days', s.eventsNext7d.toLocaleString('en-US'))}
</div>
<h2>Latest orders</h2>
${orderTable(recent)}</section>`,
    nav,
  )
}
