import { inflateSync } from 'node:zlib'

export interface DecodedPng {
  width: number
  height: number
  /** Grey level (0–255) of every pixel, row by row. */
  grey: Uint8Array
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Decodes an 8-bit, non-interlaced PNG (what Chromium writes) to grey levels. Throws on anything else. */
export function decodePng(buf: Buffer): DecodedPng {
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: wrong signature')
  let at = 8
  let width = 0
  let height = 0
  let colourType = -1
  const idat: Buffer[] = []
  while (at < buf.length) {
    const length = buf.readUInt32BE(at)
    const type = buf.toString('latin1', at + 4, at + 8)
    const data = buf.subarray(at + 8, at + 8 + length)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      if (data[8] !== 8) throw new Error(`bit depth ${data[8]} not handled`)
      colourType = data[9]!
      if (data[12] !== 0) throw new Error('interlaced PNG not handled')
    } else if (type === 'IDAT') idat.push(data)
    else if (type === 'IEND') break
    at += 12 + length
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType]
  if (!channels) throw new Error(`colour type ${colourType} not handled`)
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0
      let v = line[x]!
      if (filter === 1) v += a
      else if (filter === 2) v += b
      else if (filter === 3) v += (a + b) >> 1
      else if (filter === 4) {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      }
      pixels[y * stride + x] = v & 0xff
    }
  }
  const grey = new Uint8Array(width * height)
  for (let i = 0; i < width * height; i++) {
    const p = i * channels
    grey[i] = channels >= 3 ? Math.round(0.299 * pixels[p]! + 0.587 * pixels[p + 1]! + 0.114 * pixels[p + 2]!) : pixels[p]!
  }
  return { width, height, grey }
}

/** Variance of the grey levels: 0 for a blank (single-colour) image. */
export function greyVariance(png: DecodedPng): number {
  let sum = 0
  for (const g of png.grey) sum += g
  const mean = sum / png.grey.length
  let sq = 0
  for (const g of png.grey) sq += (g - mean) ** 2
  return sq / png.grey.length
}

/** Share of pixels (0–1) whose grey level differs by more than 16 between two same-sized images. */
export function differingShare(a: DecodedPng, b: DecodedPng): number {
  if (a.width !== b.width || a.height !== b.height) return 1
  let differ = 0
  for (let i = 0; i < a.grey.length; i++) if (Math.abs(a.grey[i]! - b.grey[i]!) > 16) differ++
  return differ / a.grey.length
}
