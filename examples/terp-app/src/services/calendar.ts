import { asc, desc, eq, gte } from 'drizzle-orm'
import { calendarEvents, clients } from '../db/schema.js'
import type { Store } from './store.js'

export interface CalendarEvent {
  id: number
  title: string
  kind: string
  startsAt: Date
  endsAt: Date
  clientName: string | null
}

/** Events from the start of today on; when none are left, the latest ones (so a quiet calendar still shows its history). */
export async function listEvents(store: Store, opts: { limit?: number; now?: Date } = {}): Promise<{ upcoming: boolean; events: CalendarEvent[] }> {
  const today = new Date(opts.now ?? Date.now())
  today.setUTCHours(0, 0, 0, 0)
  const limit = opts.limit ?? 100
  const base = () =>
    store.db
      .select({ id: calendarEvents.id, title: calendarEvents.title, kind: calendarEvents.kind, startsAt: calendarEvents.startsAt, endsAt: calendarEvents.endsAt, clientName: clients.name })
      .from(calendarEvents)
      .leftJoin(clients, eq(clients.id, calendarEvents.clientId))
  const upcoming = await base().where(gte(calendarEvents.startsAt, today)).orderBy(asc(calendarEvents.startsAt)).limit(limit)
  if (upcoming.length > 0) return { upcoming: true, events: upcoming }
  return { upcoming: false, events: await base().orderBy(desc(calendarEvents.startsAt)).limit(limit) }
}
