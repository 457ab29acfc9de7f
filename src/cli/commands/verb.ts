/** The global flags every verb on one environment reads. */
export interface VerbOptions {
  environment: string
  configPath?: string
  json?: boolean
  verbose?: boolean
}

/** Where the library's log lines go: stderr with --verbose (already redacted), nowhere otherwise. */
export function verboseLog(o: VerbOptions): ((line: string) => void) | undefined {
  return o.verbose && !o.json ? (line) => void process.stderr.write(`  ${line}\n`) : undefined
}

export function warnLine(line: string): void {
  process.stderr.write(`warning: ${line}\n`)
}

/** The config source of a verb: the --config file, if given. */
export function sourceOf(o: { configPath?: string | undefined }): { configPath?: string } {
  return o.configPath ? { configPath: o.configPath } : {}
}
