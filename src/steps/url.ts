/**
 * Joins a path to the environment's base URL; absolute URLs pass through. Every kind that calls the
 * app takes its URLs this way (health, wait-live, the smoke steps, the monitor).
 */
export function resolveUrl(base: string, target: string): string {
  if (/^https?:\/\//i.test(target)) return target
  return new URL(target.replace(/^\/?/, ''), base.endsWith('/') ? base : `${base}/`).toString()
}
