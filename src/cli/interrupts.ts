/**
 * Ctrl-C once: running steps are told to stop (a rollback in progress keeps going). Twice: the
 * rollback is abandoned too. Three times: exit at once.
 */
export function runInterrupts() {
  const run = new AbortController()
  const rollback = new AbortController()
  let count = 0
  const onSignal = () => {
    count++
    if (count === 1) {
      process.stderr.write('\nStopping: running steps are told to stop (Ctrl-C again to abandon a rollback)…\n')
      run.abort(new Error('cancelled'))
    } else if (count === 2) {
      process.stderr.write('\nAbandoning the rollback; the record will say what is left (Ctrl-C again to exit now)…\n')
      rollback.abort(new Error('cancelled'))
    } else process.exit(130)
  }
  return listen(onSignal, { signal: run.signal, rollbackSignal: rollback.signal })
}

/** Ctrl-C (or SIGTERM) stops the work through the signal; a second one exits at once. */
export function interruptible() {
  const controller = new AbortController()
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130)
    process.stderr.write('\nStopping…\n')
    controller.abort(new Error('cancelled'))
  }
  return listen(onSignal, { signal: controller.signal })
}

function listen<T extends object>(onSignal: () => void, signals: T): T & { dispose(): void } {
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    ...signals,
    dispose: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
