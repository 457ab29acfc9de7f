import type { RolloutEvent } from '../../engine/events.js'
import { EXIT } from '../exit-codes.js'

interface Interrupts {
  signal: AbortSignal
  rollbackSignal: AbortSignal
  dispose(): void
}

export interface DemoCommandOptions {
  keep?: boolean
  stop?: boolean
  monitor: string
  quickstart?: boolean
  /** A shared store for the demo's record (postgres://… or mysql://…). */
  store?: string
  onEvent: (e: RolloutEvent) => void
  interrupts: () => Interrupts
}

const say = (line: string) => process.stdout.write(`${line}\n`)

/** `rollout demo`: exit 0 when both runs ended as the demo promises, 3 otherwise. */
export async function demoCommand(o: DemoCommandOptions): Promise<number> {
  if (o.stop) {
    const { stopSandbox, defaultDemoDir } = await import('../../demo/terp/demo.js')
    const stopped = await stopSandbox(defaultDemoDir(process.cwd()), { keepDatabaseServer: false })
    say(stopped.length ? `Stopped ${stopped.join(' and ')}.` : 'Nothing of the demo was running.')
    return EXIT.ok
  }
  const stop = o.interrupts()
  const env = o.store ? { ...process.env, ROLLOUT_STORE_URL: o.store } : process.env
  if (o.store) say(`The demo's runs are recorded in the shared store named by --store (read them with ROLLOUT_STORE_URL set to it).`)
  try {
    if (o.quickstart) return await quickstart(o, stop, env)
    const { runTerpDemo, defaultDemoDir } = await import('../../demo/terp/demo.js')
    const { demoPassed } = await import('../../demo/terp/verdict.js')
    const outcome = await runTerpDemo({
      dir: defaultDemoDir(process.cwd()),
      keep: Boolean(o.keep),
      monitorWindow: o.monitor,
      onEvent: o.onEvent,
      say,
      signal: stop.signal,
      rollbackSignal: stop.rollbackSignal,
      env,
    })
    return demoPassed(outcome) ? EXIT.ok : EXIT.needsHands
  } finally {
    stop.dispose()
  }
}

async function quickstart(o: DemoCommandOptions, stop: Interrupts, env: NodeJS.ProcessEnv): Promise<number> {
  const { runQuickstartDemo } = await import('../../demo/quickstart.js')
  const [good, broken] = await runQuickstartDemo({ cwd: process.cwd(), onEvent: o.onEvent, say, signal: stop.signal, rollbackSignal: stop.rollbackSignal, env })
  const asExpected = good?.status === 'passed' && broken?.status === 'rolled-back'
  say(`\nDemo ${asExpected ? 'done: the good release passed, the broken one was rolled back and proven' : 'did NOT go as expected'}.`)
  return asExpected ? EXIT.ok : EXIT.needsHands
}
