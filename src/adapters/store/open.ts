import type { Store } from '../../engine/store.js'
import { RolloutError } from '../../shared/errors.js'
import { describeStore, type StoreLocation } from './location.js'
import { SqliteStore } from './sqlite.js'
import type { SqlDriver } from './shared/driver.js'
import { migrateSchema, schemaStatus, type SchemaStatus } from './shared/schema.js'
import { SqlStore } from './shared/sql-store.js'

async function driverFor(location: Exclude<StoreLocation, { kind: 'sqlite' }>): Promise<SqlDriver> {
  if (location.kind === 'postgres') return (await import('./shared/postgres.js')).postgresDriver(location.url)
  return (await import('./shared/mysql.js')).mysqlDriver(location.url)
}

/** Opens the record; a shared store's tables are created or brought to this version first. */
export async function openStoreAt(location: StoreLocation): Promise<Store> {
  if (location.kind === 'sqlite') return new SqliteStore(location.file)
  const driver = await driverFor(location)
  try {
    await migrateSchema(driver, location.prefix)
  } catch (error) {
    await driver.close().catch(() => undefined)
    throw unreachable(location, error)
  }
  return new SqlStore(driver, location.prefix)
}

/** What `rollout store status` and `migrate` report. */
export interface StoreReport extends SchemaStatus {
  store: string
  applied?: number[]
}

/** The shared store's schema version, changing nothing (`migrate: true` brings it up to date). */
export async function inspectStore(location: StoreLocation, migrate = false): Promise<StoreReport> {
  if (location.kind === 'sqlite') throw new RolloutError('USAGE', `the record is the local file ${location.file}, which upgrades itself`, 'name a shared store with the config\'s `store` or ROLLOUT_STORE_URL')
  const driver = await driverFor(location)
  try {
    const applied = migrate ? await migrateSchema(driver, location.prefix) : undefined
    return { store: describeStore(location), ...(await schemaStatus(driver, location.prefix)), ...(applied ? { applied } : {}) }
  } catch (error) {
    throw unreachable(location, error)
  } finally {
    await driver.close().catch(() => undefined)
  }
}

function unreachable(location: StoreLocation, error: unknown): Error {
  if (error instanceof RolloutError) return error
  const detail = (error as Error).message.replaceAll(location.kind === 'sqlite' ? '' : location.url, describeStore(location))
  return new RolloutError('STATE', `cannot open the shared store ${describeStore(location)}: ${detail}`, 'check the store URL, that the server is up and that the user may create tables there', { cause: error })
}
