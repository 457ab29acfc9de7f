import type { StepKind } from '../engine/step-kind.js'
import command from './command.js'
import http from './http.js'
import announce from './announce/announce.js'
import notify from './announce/notify.js'
import announceClose from './announce/announce-close.js'
import monitor from './monitor/monitor.js'
import deploymentLog from './post/deployment-log.js'

/**
 * Every step kind, by name. Kind modules are light: each loads its heavy parts (database driver,
 * browser) with `await import()` when it runs.
 */
const KINDS: StepKind<any>[] = [command, http, announce, notify, announceClose, monitor, deploymentLog]

const byName = new Map(KINDS.map((k) => [k.kind, k]))

export function findStepKind(name: string): StepKind<any> | undefined {
  return byName.get(name)
}

export function knownStepKinds(): string[] {
  return [...byName.keys()].sort()
}
