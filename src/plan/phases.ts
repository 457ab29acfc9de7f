/** The phases of a run, in the order a rollout walks them. */
export const PHASES = [
  'preflight',
  'backup',
  'environment',
  'announce',
  'migrate',
  'deploy',
  'smoke',
  'verify',
  'monitor',
  'post',
] as const

export type Phase = (typeof PHASES)[number]

export function isPhase(value: string): value is Phase {
  return (PHASES as readonly string[]).includes(value)
}
