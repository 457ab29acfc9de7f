import { createReadStream } from 'node:fs'
import { chmod, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { StorageError } from './errors.js'
import type { Storage, StorageWriter, StoredObject } from './storage.js'

/**
 * A folder on this machine. Files are written aside as `<name>.<pid>.partial` and renamed when
 * whole. Write errors stay the system's own (ENOSPC, EROFS…): callers word them for their folder.
 */
export function localStorage(dir: string): Storage {
  const full = (name: string) => path.join(dir, name)
  const storage: Storage = {
    location: dir,
    describe: () => dir,
    async ensure() {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      const info = await stat(dir)
      if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700)
    },
    async stat(name): Promise<StoredObject | null> {
      const info = await stat(full(name)).catch(() => null)
      return info?.isFile() ? { size: info.size, modifiedMs: info.mtimeMs } : null
    },
    async list(opts = {}) {
      const entries = await readdir(dir, { withFileTypes: true, recursive: opts.recursive ?? false }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return []
        throw asStorageError(error, dir)
      })
      return entries
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath ?? dir, e.name)).split(path.sep).join('/'))
        .sort()
    },
    async readText(name) {
      const handle = await open(full(name), 'r').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null
        throw asStorageError(error, full(name))
      })
      if (!handle) return null
      try {
        return await handle.readFile('utf8')
      } finally {
        await handle.close()
      }
    },
    async writeText(name, text) {
      const file = full(name)
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
      const tmp = `${file}.${process.pid}.tmp`
      try {
        await writeFile(tmp, text, { mode: 0o600 })
        await rename(tmp, file)
      } catch (error) {
        await rm(tmp, { force: true })
        throw error
      }
    },
    async openRead(name, range) {
      const file = full(name)
      await stat(file).catch((error) => {
        throw asStorageError(error, file)
      })
      return createReadStream(file, { highWaterMark: 1 << 20, ...(range ? { start: range.start, end: range.end } : {}) })
    },
    async openWrite(name): Promise<StorageWriter> {
      const file = full(name)
      const partial = partialPathFor(file)
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
      // Owner-only, and failing if it exists: two writers never share one partial file.
      const handle = await open(partial, 'wx', 0o600)
      const stream = handle.createWriteStream({ highWaterMark: 1 << 20 })
      return {
        stream,
        async commit() {
          if (!stream.closed) await new Promise<void>((resolve, reject) => stream.once('close', resolve).once('error', reject))
          // On disk before it is renamed into place and called whole.
          const sync = await open(partial, 'r+')
          await sync.sync().finally(() => sync.close())
          await rename(partial, file)
        },
        async abort() {
          stream.destroy()
          await rm(partial, { force: true })
        },
      }
    },
    async remove(name) {
      await rm(full(name), { force: true })
    },
  }
  return storage
}

/**
 * A file being written is `<file>.<pid>.partial`: the writer's pid in the name tells a later
 * writer whether it is still being written (the process lives) or was left by one that was killed.
 */
export function partialPathFor(finalPath: string, pid: number = process.pid): string {
  return `${finalPath}.${pid}.partial`
}

function asStorageError(error: unknown, where: string): unknown {
  const e = error as NodeJS.ErrnoException
  if (e?.code === 'ENOENT') return new StorageError('NOT_FOUND', `${where} does not exist`, undefined, { cause: error })
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return new StorageError('ACCESS', `cannot read ${where}: permission denied (${e.code})`, undefined, { cause: error })
  return error
}
