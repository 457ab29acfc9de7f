import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

/** What a release switches on. Every release runs the same code; its release.json says which parts are live. */
export const featuresSchema = z.strictObject({
  /** orders.priority, shown in the order list and set on new orders (migration 0001). */
  orderPriority: z.boolean().default(false),
  /** The order_notes table: notes on the order page and a form to add one (migration 0001). */
  orderNotes: z.boolean().default(false),
  /** Per-line discounts by client tier (migration 0002). */
  lineDiscounts: z.boolean().default(false),
})
export type Features = z.output<typeof featuresSchema>

const releaseSchema = z.object({
  id: z.string().min(1),
  description: z.string().default(''),
  commit: z.string().optional(),
  /** The newest migration this release was made with (the migrations folder only ever grows). */
  migrations: z.string().optional(),
  features: featuresSchema.default({ orderPriority: false, orderNotes: false, lineDiscounts: false }),
})
export type Release = z.output<typeof releaseSchema>

/** The release folder: the parent of src/, holding release.json and migrations/. */
export const RELEASE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export function readRelease(dir = RELEASE_DIR): Release {
  const file = path.join(dir, 'release.json')
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`)
  }
  const parsed = releaseSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`)
  }
  return parsed.data
}
