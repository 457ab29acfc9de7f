/** Waits `ms`, or rejects as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal))
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortReason(signal!))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('stopped')
}

export interface PollOptions<T> {
  /** One look at the state: `done` ends the wait with `value`; a thrown error ends it too. */
  check: () => Promise<{ done: boolean; value: T; note?: string }>
  intervalMs: number
  timeoutMs: number
  signal: AbortSignal
  /** Called when a look changes the note (status word), so the record shows each transition once. */
  onChange?: (note: string) => void
  /** Message of the error thrown when the time runs out; gets the last note. */
  timeoutMessage: (lastNote: string | undefined) => string
}

/** Looks until done, bounded by `timeoutMs`; the last look always happens before giving up. */
export async function pollUntil<T>(opts: PollOptions<T>): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs
  let lastNote: string | undefined
  for (;;) {
    const look = await opts.check()
    if (look.note !== undefined && look.note !== lastNote) {
      lastNote = look.note
      opts.onChange?.(look.note)
    }
    if (look.done) return look.value
    const left = deadline - Date.now()
    if (left <= 0) throw new Error(opts.timeoutMessage(lastNote))
    await sleep(Math.min(opts.intervalMs, left), opts.signal)
  }
}

/**
 * Runs `fn` with a signal of its own that follows `parent`, and detaches it afterwards. Polling
 * makes hundreds of requests under one step's signal; a listener left on it per request would pile up.
 */
export async function withChildSignal<T>(parent: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const child = new AbortController()
  const follow = () => child.abort(parent.reason)
  if (parent.aborted) follow()
  else parent.addEventListener('abort', follow, { once: true })
  try {
    return await fn(child.signal)
  } finally {
    parent.removeEventListener('abort', follow)
  }
}
