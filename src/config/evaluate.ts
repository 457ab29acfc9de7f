import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { withConfigVars } from './markers.js'

/**
 * Evaluates a config file's source, every call afresh, with `vars` as what env() reads; returns its
 * exports. One process may load a config more than once (the quickstart demo runs two rollouts, with
 * RELEASE changed between them), and env() is read while the file is evaluated.
 *
 * jiti is told to transpile the file whatever its kind: left to itself, jiti hands an ES module
 * (.mjs, or .js in a "type": "module" package) to Node's own import() whenever Node can resolve its
 * imports, as it can in an app where rollout is installed, and Node caches such a module by its URL
 * for the life of the process, so a second load returned the first evaluation. Transpiled, the
 * config's `import ... from 'rollout'` always means this running package, never another copy.
 */
export async function evaluateConfigFile(file: string, vars: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const source = readFileSync(file, 'utf8')
  const { createJiti } = await import('jiti')
  // The package the config imports is the one already loaded, handed over as it is: evaluating it
  // anew for each config (the whole package, transpiled) took seconds per load.
  const rollout = (await import(pathToFileURL(packageEntry()).href)) as Record<string, unknown>
  const jiti = createJiti(file, { virtualModules: { rollout }, moduleCache: false, fsCache: false })
  const exports = await withConfigVars(vars, async () => jiti.evalModule(source, { filename: file, async: true, forceTranspile: true }))
  return (exports ?? {}) as Record<string, unknown>
}

/** The file a config's `import ... from 'rollout'` resolves to: this package's own entry. */
function packageEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const built = path.resolve(here, '../index.js')
  return existsSync(built) ? built : path.resolve(here, '../index.ts')
}
