import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib'

/**
 * Rewrites a zip archive with every text entry passed through `redact`. A Playwright trace records
 * what was typed (a password's `fill`) and the network headers (session cookies): before it becomes
 * evidence those values are replaced. Images and other binary entries are copied unchanged.
 * Handles the archives Playwright writes: stored or deflated entries, no zip64, no encryption.
 */
export function redactZip(zip: Buffer, redact: (text: string) => string): Buffer {
  const entries = readEntries(zip)
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    let data = entry.data
    if (isText(entry.name, data)) data = Buffer.from(redact(data.toString('utf8')), 'utf8')
    const compressed = deflateRawSync(data)
    const crc = crc32(data)
    const name = Buffer.from(entry.name, 'utf8')

    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x0800, 6) // UTF-8 names, sizes known up front
    local.writeUInt16LE(8, 8) // deflate
    local.writeUInt16LE(entry.time, 10)
    local.writeUInt16LE(entry.date, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(compressed.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    locals.push(local, name, compressed)

    const dir = Buffer.alloc(46)
    dir.writeUInt32LE(0x02014b50, 0)
    dir.writeUInt16LE(20, 4) // made by
    dir.writeUInt16LE(20, 6)
    dir.writeUInt16LE(0x0800, 8)
    dir.writeUInt16LE(8, 10)
    dir.writeUInt16LE(entry.time, 12)
    dir.writeUInt16LE(entry.date, 14)
    dir.writeUInt32LE(crc, 16)
    dir.writeUInt32LE(compressed.length, 20)
    dir.writeUInt32LE(data.length, 24)
    dir.writeUInt16LE(name.length, 28)
    dir.writeUInt32LE(offset, 42)
    central.push(dir, name)
    offset += local.length + name.length + compressed.length
  }
  const centralBuf = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(centralBuf.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, centralBuf, end])
}

interface Entry {
  name: string
  data: Buffer
  time: number
  date: number
}

/** Entries listed by the central directory, decompressed. */
export function readEntries(zip: Buffer): Entry[] {
  let eocd = -1
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)')
  const count = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  const entries: Entry[] = []
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('zip central directory is damaged')
    const flags = zip.readUInt16LE(at + 8)
    const method = zip.readUInt16LE(at + 10)
    const time = zip.readUInt16LE(at + 12)
    const date = zip.readUInt16LE(at + 14)
    const compressedSize = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const localOffset = zip.readUInt32LE(at + 42)
    const name = zip.toString(flags & 0x0800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength)
    if (flags & 0x1) throw new Error(`zip entry ${name} is encrypted`)
    const localStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28)
    const raw = zip.subarray(localStart, localStart + compressedSize)
    let data: Buffer
    if (method === 0) data = Buffer.from(raw)
    else if (method === 8) data = inflateRawSync(raw)
    else throw new Error(`zip entry ${name} uses compression method ${method}`)
    entries.push({ name, data, time, date })
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

const BINARY = /\.(jpe?g|png|webp|gif|woff2?|ttf|otf|ico|wasm|zip|gz|br|mp4|webm)$/i

function isText(name: string, data: Buffer): boolean {
  if (BINARY.test(name)) return false
  return !data.subarray(0, 8192).includes(0)
}
