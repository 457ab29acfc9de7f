import type { RolloutEvent } from '../../engine/events.js'
import { describeEvent } from './describe.js'
import { makeStyle, colorsEnabled } from './style.js'

/** Plain lines, one per event, for logs and CI; step output lines are shown indented. */
export function plainRenderer(stream: NodeJS.WriteStream, opts: { showOutput: boolean }) {
  const style = makeStyle(colorsEnabled(stream))
  const titles = new Map<string, string>()
  return (e: RolloutEvent) => {
    if (e.type === 'step-started') {
      titles.set(e.stepId, e.title)
      stream.write(`  ${style.dim('…')} ${e.pass === 'proof' ? '[rollback check] ' : ''}${e.title}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}\n`)
      return
    }
    if (e.type === 'undo-started') {
      titles.set(e.stepId, e.title)
      stream.write(`  ${style.dim('↺')} undo ${e.title}\n`)
      return
    }
    if (e.type === 'step-output') {
      if (opts.showOutput) stream.write(style.dim(`      ${e.stepId}: ${e.line}\n`))
      return
    }
    const line = describeEvent(e, style, titles)
    if (line) stream.write(`${line}\n`)
  }
}
