import { execFileSync } from 'node:child_process'

export interface ZipEntry {
  name: string
  data: Buffer
}

/**
 * Every entry of a zip archive, read by Python's zipfile: a reader independent of the code under
 * test. Its integrity check (each entry's CRC) runs first; a damaged archive throws.
 */
export function readZip(zip: Uint8Array): ZipEntry[] {
  const script = [
    'import base64, io, json, sys, zipfile',
    'z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))',
    'bad = z.testzip()',
    'if bad: sys.exit("damaged entry: " + bad)',
    'print(json.dumps([[i.filename, base64.b64encode(z.read(i)).decode()] for i in z.infolist()]))',
  ].join('\n')
  const out = execFileSync('python3', ['-c', script], { input: zip, maxBuffer: 256 * 1024 * 1024 })
  return (JSON.parse(out.toString('utf8')) as [string, string][]).map(([name, data]) => ({ name, data: Buffer.from(data, 'base64') }))
}

/** A zip archive written by Python's zipfile from name → content, each entry deflated or stored as asked. */
export function writeZip(entries: { name: string; data: Uint8Array; stored?: boolean }[]): Buffer {
  const script = [
    'import base64, io, json, sys, zipfile',
    'buf = io.BytesIO()',
    'with zipfile.ZipFile(buf, "w") as z:',
    '    for name, data, stored in json.load(sys.stdin):',
    '        z.writestr(name, base64.b64decode(data), zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)',
    'sys.stdout.buffer.write(buf.getvalue())',
  ].join('\n')
  const input = JSON.stringify(entries.map((e) => [e.name, Buffer.from(e.data).toString('base64'), Boolean(e.stored)]))
  return execFileSync('python3', ['-c', script], { input, maxBuffer: 256 * 1024 * 1024 })
}
