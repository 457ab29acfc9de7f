import type { z } from 'zod'
import type { configSchema, environmentSchema } from './schema.js'

/** The config after markers are resolved and defaults applied: plain typed data. */
export type ResolvedConfig = z.output<typeof configSchema> & {
  /** Absolute path of the file it came from. */
  file: string
  /** Folder of that file; relative paths in the config start here. */
  root: string
}
export type ResolvedEnvironment = z.output<typeof environmentSchema>
