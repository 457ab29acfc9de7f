import path from 'node:path'

const TYPES: Record<string, string> = {
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp',
  '.json': 'application/json; charset=utf-8', '.zip': 'application/zip',
  '.md': 'text/markdown; charset=utf-8', '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8', '.sql': 'text/plain; charset=utf-8',
}

/** The content type an evidence file is served with; anything unknown is a download, never sniffed. */
export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}
