import { randomBytes } from 'node:crypto'
import type { RolloutEvent } from '../../engine/events.js'
import { plainRenderer } from './plain.js'

/** Running as a GitHub Actions step: the runner sets `GITHUB_ACTIONS=true`. */
export function underGitHubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true'
}

/**
 * GitHub Actions workflow commands (`::error title=…::message`). The message and the property values
 * are escaped as the runner unescapes them: `%`, CR and LF everywhere, `:` and `,` in properties too.
 */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

export function workflowCommand(name: string, properties: Record<string, string | undefined>, message = ''): string {
  const props = Object.entries(properties)
    .filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',')
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`
}

/** The runner reads a command from any line that starts with `::` once leading blanks are trimmed. */
const looksLikeCommand = (line: string) => line.trimStart().startsWith('::')

/**
 * Under GitHub Actions: the plain lines, plus workflow commands. Each step's output is one collapsed
 * group, printed when the step (or its undo) finishes, so concurrent steps do not interleave; output
 * a step prints that looks like a workflow command is not obeyed (it runs between `stop-commands`).
 * A blocking failure is an error annotation, a warning-only failure or a warning a warning one.
 */
export function githubRenderer(stream: NodeJS.WriteStream, token: () => string = () => randomBytes(12).toString('hex')) {
  const plain = plainRenderer(stream, { showOutput: false })
  const titles = new Map<string, string>()
  const buffered = new Map<string, string[]>()
  const write = (line: string) => stream.write(`${line}\n`)
  const title = (id: string) => titles.get(id) ?? id

  const flush = (key: string, heading: string) => {
    const lines = buffered.get(key)
    buffered.delete(key)
    if (!lines?.length) return
    write(workflowCommand('group', {}, `${heading} (${lines.length} line${lines.length === 1 ? '' : 's'} of output)`))
    const stop = lines.some(looksLikeCommand) ? token() : null
    if (stop) write(`::stop-commands::${stop}`)
    for (const line of lines) write(line)
    if (stop) write(`::${stop}::`)
    write('::endgroup::')
  }
  const heading = (stepId: string, pass: string) => `${pass === 'proof' ? '[rollback check] ' : ''}${title(stepId)}`

  return (e: RolloutEvent) => {
    switch (e.type) {
      case 'step-started':
      case 'undo-started':
        titles.set(e.stepId, e.title)
        break
      case 'step-output': {
        const key = `${e.pass}:${e.stepId}`
        const lines = buffered.get(key)
        if (lines) lines.push(e.line)
        else buffered.set(key, [e.line])
        return
      }
      case 'step-finished':
        flush(`${e.pass}:${e.stepId}`, heading(e.stepId, e.pass))
        break
      case 'undo-finished':
        // An undo logs under the step's own id.
        flush(`run:${e.stepId}`, `undo ${title(e.stepId)}`)
        break
      case 'run-finished':
        for (const key of [...buffered.keys()]) flush(key, heading(key.slice(key.indexOf(':') + 1), key.slice(0, key.indexOf(':'))))
        break
    }
    plain(e)
    const annotation = annotate(e, title)
    if (annotation) write(annotation)
  }
}

function annotate(e: RolloutEvent, title: (id: string) => string): string | null {
  switch (e.type) {
    case 'step-finished': {
      const name = `${e.pass === 'proof' ? '[rollback check] ' : ''}${title(e.stepId)}`
      if (e.status === 'failed') return workflowCommand('error', { title: name }, e.summary)
      if (e.status === 'warning') return workflowCommand('warning', { title: name }, e.summary)
      return null
    }
    case 'undo-finished':
      return e.status === 'rollback-failed' ? workflowCommand('error', { title: `undo ${title(e.stepId)}` }, e.summary) : null
    case 'rollback-finished':
      return e.status === 'rollback-failed' ? workflowCommand('error', { title: 'Rollback incomplete: manual action needed' }, e.summary) : null
    case 'warning':
      return workflowCommand('warning', { title: e.stepId ? title(e.stepId) : undefined }, e.message)
    default:
      return null
  }
}
