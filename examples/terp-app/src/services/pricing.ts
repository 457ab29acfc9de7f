/**
 * Line discounts by client tier (release v3-broken).
 *
 * Broken on purpose, the way such releases break: the rates below were copied from the pricing
 * sheet, whose tier names are capitalised, while the database stores them in lower case. Every
 * lookup misses, the non-null assertion hides it from the compiler, and creating an order throws a
 * TypeError: the server answers 500 on the order form and on `orders.create`.
 */
const TIER_DISCOUNTS: Record<string, { rate: number }> = {
  Standard: { rate: 0 },
  Silver: { rate: 0.03 },
  Gold: { rate: 0.05 },
  VIP: { rate: 0.08 },
}

export function lineDiscountCents(tier: string, qty: number, unitPriceCents: number): number {
  return Math.round(qty * unitPriceCents * TIER_DISCOUNTS[tier]!.rate)
}
