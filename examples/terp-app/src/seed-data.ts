/**
 * The example data, generated: pure and deterministic (a fixed pseudo-random sequence, dates
 * counted back and forward from `now`), so the same options give the same rows.
 */

export interface Volume {
  clients: number
  products: number
  orders: number
  /** Calendar events, spread from 60 days before `now` to 90 days after. */
  events: number
  staff: number
}

export const FULL_VOLUME: Volume = { clients: 300, products: 500, orders: 20_000, events: 1_500, staff: 8 }
export const SMALL_VOLUME: Volume = { clients: 30, products: 60, orders: 600, events: 80, staff: 3 }

export const DEMO_STAFF_EMAIL = 'demo@terp.example'
export const VIP_EMAIL = 'vip@terp.example'
/** The VIP client: id 1, with portal access; its newest orders are open. */
export const VIP_CLIENT_ID = 1

/** mulberry32: small, fast, good enough for test data, and the same on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const DAY = 86_400_000
const FIRST = ['Harbor', 'Summit', 'Pioneer', 'Blue Ridge', 'Cedar', 'Northwind', 'Redwood', 'Lakeside', 'Granite', 'Silver Creek', 'Maple', 'Ironwood', 'Coastal', 'Prairie', 'Evergreen', 'Highland', 'Riverbend', 'Sunrise', 'Oakmont', 'Westfield']
const SECOND = ['Supply', 'Trading', 'Foods', 'Hardware', 'Outfitters', 'Hospitality', 'Builders', 'Provisions', 'Distributors', 'Markets', 'Kitchens', 'Logistics', 'Goods', 'Wholesale', 'Partners']
const FORM = ['Co.', 'LLC', 'Inc.', 'Ltd', 'Group']
const CITIES = ['Portland', 'Denver', 'Austin', 'Chicago', 'Atlanta', 'Seattle', 'Boston', 'Phoenix', 'Nashville', 'Oakland', 'Tucson', 'Madison']
const ADJECTIVES = ['Heavy-duty', 'Compact', 'Premium', 'Classic', 'Eco', 'Industrial', 'Deluxe', 'Standard', 'Pro', 'Lightweight']
const NOUNS = ['Shelf Unit', 'Storage Bin', 'Pallet Wrap', 'Hand Truck', 'Label Roll', 'Packing Tape', 'Safety Gloves', 'Box Cutter', 'Floor Mat', 'Step Ladder', 'Work Light', 'Cable Ties', 'Tote Crate', 'Scale', 'Barcode Scanner']
const CATEGORIES = ['Storage', 'Packaging', 'Safety', 'Handling', 'Equipment']
const STAFF = ['Alex Morgan', 'Sam Rivera', 'Jordan Lee', 'Taylor Brooks', 'Casey Kim', 'Riley Chen', 'Morgan Diaz', 'Jamie Patel', 'Avery Stone', 'Quinn Harper']

export interface SeedRows {
  users: { id: number; email: string; name: string; role: string; createdAt: Date }[]
  clients: { id: number; name: string; email: string; phone: string; city: string; tier: string; portal: boolean; createdAt: Date }[]
  products: { id: number; sku: string; name: string; category: string; priceCents: number; stock: number; reorderLevel: number }[]
  orders: { id: number; clientId: number; status: string; placedAt: Date; totalCents: number; createdBy: number }[]
  orderLines: { id: number; orderId: number; productId: number; qty: number; unitPriceCents: number }[]
  events: { id: number; title: string; kind: string; startsAt: Date; endsAt: Date; clientId: number | null }[]
}

export function generate(volume: Volume, opts: { now: Date; seed: number }): SeedRows {
  const rnd = random(opts.seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1))
  const now = opts.now.getTime()
  const at = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000)

  const users = Array.from({ length: Math.max(1, volume.staff) }, (_, i) => {
    const name = i === 0 ? 'Demo User' : STAFF[(i - 1) % STAFF.length]!
    const email = i === 0 ? DEMO_STAFF_EMAIL : `${name.toLowerCase().replace(/\W+/g, '.')}${i > STAFF.length ? i : ''}@terp.example`
    return { id: i + 1, email, name, role: i === 0 ? 'admin' : 'staff', createdAt: at(now - int(200, 900) * DAY) }
  })

  const names = new Set<string>()
  const clients = Array.from({ length: volume.clients }, (_, i) => {
    const id = i + 1
    let name = id === VIP_CLIENT_ID ? 'Harborview Hotels' : `${pick(FIRST)} ${pick(SECOND)} ${pick(FORM)}`
    if (names.has(name)) name = `${name} (${id})`
    names.add(name)
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
    const r = rnd()
    return {
      id,
      name,
      email: id === VIP_CLIENT_ID ? VIP_EMAIL : `orders@${slug}.example`,
      phone: `+1-555-${String(int(100, 999))}-${String(int(1000, 9999))}`,
      city: pick(CITIES),
      tier: id === VIP_CLIENT_ID ? 'vip' : r < 0.1 ? 'gold' : r < 0.3 ? 'silver' : 'standard',
      portal: id === VIP_CLIENT_ID,
      createdAt: at(now - int(400, 1500) * DAY),
    }
  })

  const products = Array.from({ length: volume.products }, (_, i) => {
    const reorderLevel = int(10, 40)
    return {
      id: i + 1,
      sku: `SKU-${10001 + i}`,
      name: `${pick(ADJECTIVES)} ${pick(NOUNS)}`,
      category: pick(CATEGORIES),
      priceCents: int(199, 49_999),
      // About one in twelve is at or below its reorder level.
      stock: rnd() < 0.08 ? int(0, reorderLevel) : int(reorderLevel + 1, 400),
      reorderLevel,
    }
  })

  // Two years of orders, ids in time order; a few clients order much more than the rest.
  const times = Array.from({ length: volume.orders }, () => now - 3_600_000 - rnd() * 730 * DAY).sort((a, b) => a - b)
  const orders: SeedRows['orders'] = []
  const orderLines: SeedRows['orderLines'] = []
  times.forEach((time, i) => {
    const id = i + 1
    const age = (now - time) / DAY
    const newest = i >= volume.orders - 3
    const status = newest ? 'open' : age > 21 ? (rnd() < 0.06 ? 'cancelled' : 'fulfilled') : age > 7 ? pick(['shipped', 'fulfilled']) : pick(['open', 'picking', 'shipped'])
    const clientId = newest ? VIP_CLIENT_ID : 1 + Math.floor(rnd() ** 2 * volume.clients)
    let total = 0
    const used = new Set<number>()
    for (let n = int(1, 5); n > 0; n--) {
      const product = products[Math.floor(rnd() * products.length)]!
      if (used.has(product.id)) continue
      used.add(product.id)
      const qty = int(1, 20)
      total += qty * product.priceCents
      orderLines.push({ id: orderLines.length + 1, orderId: id, productId: product.id, qty, unitPriceCents: product.priceCents })
    }
    orders.push({ id, clientId, status, placedAt: at(time), totalCents: total, createdBy: users[Math.floor(rnd() * users.length)]!.id })
  })

  const events = Array.from({ length: volume.events }, (_, i) => {
    const start = at(now + (rnd() * 150 - 60) * DAY)
    const kind = pick(['delivery', 'delivery', 'meeting', 'stocktake'])
    const client = kind === 'stocktake' ? null : clients[Math.floor(rnd() * clients.length)]!
    const title = kind === 'delivery' ? `Delivery to ${client!.name}` : kind === 'meeting' ? `Account review with ${client!.name}` : `Stocktake: aisle ${int(1, 24)}`
    return { id: i + 1, title, kind, startsAt: start, endsAt: new Date(start.getTime() + int(1, 4) * 1_800_000), clientId: client?.id ?? null }
  }).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()).map((e, i) => ({ ...e, id: i + 1 }))

  return { users, clients, products, orders, orderLines, events }
}
