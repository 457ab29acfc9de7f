import type { Readable, Writable } from 'node:stream'
import type { Location } from './location.js'

export interface StoredObject {
  size: number
  modifiedMs: number
}

/**
 * A file being written. Nothing is visible under its name until `commit()` resolves (a local
 * file is written aside and renamed; an object upload completes); `abort()` leaves nothing.
 */
export interface StorageWriter {
  stream: Writable
  commit(): Promise<void>
  abort(): Promise<void>
}

/**
 * One folder of files, local or in object storage. Names are relative to the folder and may hold
 * `/` (a run's evidence has subfolders). Local files and folders are owner-only.
 */
export interface Storage {
  readonly location: Location
  /** A printable name: never a credential. */
  describe(): string
  /** Creates the folder when it can (locally, owner-only); object storage needs nothing. */
  ensure(): Promise<void>
  stat(name: string): Promise<StoredObject | null>
  /** Names in the folder, sorted; with `recursive`, those in its subfolders too (as `sub/name`). */
  list(opts?: { recursive?: boolean }): Promise<string[]>
  /** null when there is no such file. */
  readText(name: string): Promise<string | null>
  /** Replaces the file as a whole: a reader sees the old or the new content, never half. */
  writeText(name: string, text: string | Uint8Array): Promise<void>
  /** Streams the file, or the bytes start..end (inclusive); NOT_FOUND when missing. */
  openRead(name: string, range?: { start: number; end: number }): Promise<Readable>
  openWrite(name: string): Promise<StorageWriter>
  /** Removes the file; no error when it is already gone. */
  remove(name: string): Promise<void>
}
