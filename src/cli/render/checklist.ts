import type { RolloutEvent } from '../../engine/events.js'
import { formatDuration } from '../../config/duration.js'
import { describeEvent } from './describe.js'
import { makeStyle, colorsEnabled } from './style.js'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * The live checklist for a terminal: finished steps scroll up as lines, running steps stay at the
 * bottom with a spinner, their elapsed time and their latest output line.
 */
export function checklistRenderer(stream: NodeJS.WriteStream) {
  const style = makeStyle(colorsEnabled(stream))
  const titles = new Map<string, string>()
  const running = new Map<string, { title: string; started: number; last: string }>()
  let drawn = 0
  let frame = 0

  const clear = () => {
    if (drawn) stream.write(`\x1b[${drawn}A\x1b[0J`)
    drawn = 0
  }
  const draw = () => {
    const width = Math.max(20, (stream.columns ?? 100) - 1)
    const lines = [...running.values()].map((r) => {
      const elapsed = formatDuration(performance.now() - r.started)
      // Cut the plain text to the terminal's width before colouring it, so no escape code is cut: a
      // line that wraps would break the redraw, which moves up by the number of lines it printed.
      const title = cut(r.title, width - (5 + elapsed.length))
      const room = width - (5 + title.length + elapsed.length)
      const tail = r.last && room > 8 ? style.dim(`  ${r.last.slice(0, room - 2)}`) : ''
      return `  ${style.cyan(FRAMES[frame % FRAMES.length]!)} ${title} ${style.dim(elapsed)}${tail}`
    })
    for (const line of lines) stream.write(`${line}\n`)
    drawn = lines.length
  }
  const timer = setInterval(() => {
    frame++
    clear()
    draw()
  }, 100)
  timer.unref()

  return (e: RolloutEvent) => {
    clear()
    if (e.type === 'step-started' || e.type === 'undo-started') {
      // Named as the finished line will be: a step re-run to prove a rollback says so while it runs too.
      const title = e.type === 'undo-started' ? `undo ${e.title}` : `${e.pass === 'proof' ? '[rollback check] ' : ''}${e.title}`
      titles.set(e.stepId, e.title)
      running.set(e.stepId, { title, started: performance.now(), last: '' })
    } else if (e.type === 'step-output') {
      const r = running.get(e.stepId)
      // A command's own colours would count as width: shown without them.
      if (r) r.last = e.line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\s+/g, ' ').trim()
    } else {
      if (e.type === 'step-finished' || e.type === 'undo-finished' || e.type === 'step-skipped') running.delete(e.stepId)
      if (e.type === 'run-finished') clearInterval(timer)
      const line = describeEvent(e, style, titles)
      if (line) stream.write(`${line}\n`)
    }
    draw()
  }
}

/** `text` in at most `width` characters, an ellipsis marking a cut. */
function cut(text: string, width: number): string {
  if (text.length <= width) return text
  return width <= 1 ? text.slice(0, Math.max(0, width)) : `${text.slice(0, width - 1)}…`
}
