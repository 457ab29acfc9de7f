import path from 'node:path'
import type { Browser } from 'playwright-core'
import { isExecutable } from '../process/executable.js'
import { browserTempDir, withTempDir } from './browser-temp.js'

/**
 * Flags Debian's Chromium needs to run headless in a container and stay off the internet: without
 * the networking ones it keeps reaching for update and sync servers, which a closed network refuses.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Where a Chromium is looked for when none is configured, in order. */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome']

export class BrowserNotFoundError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BrowserNotFoundError'
  }
}

/** `--host-resolver-rules` value for the environment's host → IP map (the browser's `curl --resolve`). */
export function hostResolverRules(resolve: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(resolve ?? {})
  if (entries.length === 0) return undefined
  return entries.map(([host, ip]) => `MAP ${host} ${ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip}`).join(',')
}

/**
 * The full argument list. `pinnedKeys` are base64 SHA-256 hashes of public keys (SPKI) that the
 * tool's own TLS client has already verified for the configured hosts (see trust.ts): Chromium
 * accepts exactly those keys, which is how it comes to trust a private CA without a system-wide
 * certificate store change and without ignoring certificate errors across the board.
 */
export function chromiumArgs(opts: { resolve?: Record<string, string>; pinnedKeys?: string[] }): string[] {
  const args = [...CHROMIUM_FLAGS]
  const rules = hostResolverRules(opts.resolve)
  if (rules) args.push(`--host-resolver-rules=${rules}`)
  if (opts.pinnedKeys?.length) args.push(`--ignore-certificate-errors-spki-list=${[...new Set(opts.pinnedKeys)].join(',')}`)
  return args
}


/**
 * The Chromium to drive: the configured path, else $ROLLOUT_CHROMIUM, else a known install path,
 * else `chromium` on PATH. When none exists the error says what to install.
 */
export function findChromium(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) {
    if (isExecutable(explicit)) return explicit
    throw new BrowserNotFoundError(`the configured browser ${explicit} does not exist or is not executable; install Debian's Chromium with \`apt-get install chromium\` (it lands in /usr/bin/chromium) or fix executablePath`)
  }
  const tried: string[] = []
  for (const candidate of [env.ROLLOUT_CHROMIUM, ...CHROMIUM_CANDIDATES]) {
    if (!candidate) continue
    tried.push(candidate)
    if (isExecutable(candidate)) return candidate
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    for (const name of ['chromium', 'chromium-browser']) {
      const file = path.join(dir, name)
      if (isExecutable(file)) return file
    }
  }
  throw new BrowserNotFoundError(
    `no Chromium browser found (looked at ${tried.join(', ')} and for chromium on PATH): install Debian's with \`apt-get install chromium\`, or set the browser step's executablePath (or ROLLOUT_CHROMIUM) to a Chromium or Chrome binary`,
  )
}

/** Starts one headless Chromium through playwright-core, which is loaded only here. */
export async function launchChromium(opts: { executablePath: string; resolve?: Record<string, string>; pinnedKeys?: string[]; timeoutMs?: number }): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  const temp = browserTempDir()
  try {
    const browser = await withTempDir(temp, () =>
      chromium.launch({
        executablePath: opts.executablePath,
        headless: true,
        args: chromiumArgs(opts),
        timeout: opts.timeoutMs ?? 30_000,
        // Chromium's own temporary files go to the same folder.
        env: { ...process.env, TMPDIR: temp },
        // The browser is closed by its owner; no signal handlers of playwright's own on the host process.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      }),
    )
    return browser
  } catch (error) {
    // Playwright's message carries the whole browser log; the browser's own error lines and its exit say what went wrong.
    const text = (error instanceof Error ? error.message : String(error)).replace(/\u001b\[[0-9;]*m/g, '')
    const lines = text.split('\n').map((l) => l.trim().replace(/^- /, '')).filter(Boolean)
    const told = [...new Set(lines.filter((l) => /^\[pid=\d+\](\[err\]| <process did exit)/.test(l)).map((l) => l.replace(/^\[pid=\d+\](\[err\])? ?/, '')))]
    const why = (told.length ? told.slice(-4) : lines.slice(0, 1)).join(' | ').replace(/^browserType\.launch: /, '')
    throw new Error(`${opts.executablePath} did not start: ${why.slice(0, 600)}`)
  }
}
