import type { Readable } from 'node:stream'
import { locationName, parentLocation, type Location } from './location.js'
import { openStorage } from './open-storage.js'
import type { StorageWriter, StoredObject } from './storage.js'

/*
 * One file by its full location (`/backups/x.json`, `s3://bucket/backups/x.json`): for code that
 * records where a file is and reads it back later, perhaps on another machine.
 */

const storageOf = (location: Location, env: NodeJS.ProcessEnv) => openStorage(parentLocation(location), env)

export function readTextAt(location: Location, env: NodeJS.ProcessEnv): Promise<string | null> {
  return storageOf(location, env).readText(locationName(location))
}

export function writeTextAt(location: Location, text: string, env: NodeJS.ProcessEnv): Promise<void> {
  return storageOf(location, env).writeText(locationName(location), text)
}

export function statAt(location: Location, env: NodeJS.ProcessEnv): Promise<StoredObject | null> {
  return storageOf(location, env).stat(locationName(location))
}

export function openReadAt(location: Location, env: NodeJS.ProcessEnv, range?: { start: number; end: number }): Promise<Readable> {
  return storageOf(location, env).openRead(locationName(location), range)
}

export function openWriteAt(location: Location, env: NodeJS.ProcessEnv): Promise<StorageWriter> {
  return storageOf(location, env).openWrite(locationName(location))
}

export function removeAt(location: Location, env: NodeJS.ProcessEnv): Promise<void> {
  return storageOf(location, env).remove(locationName(location))
}
