import type { Request, RequestHandler } from 'express'
import type { Level, Logger } from '../log.js'

const failures = new WeakMap<Request, Error>()

/** Remembers why a request failed, so its one log line says so. */
export function noteFailure(req: Request, error: Error): void {
  failures.set(req, error)
}

export function levelFor(status: number): Level {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'
}

/**
 * One line per request when the response is done: method, path (never the query string, which may
 * carry input), status, ms; level error for 5xx with the error's message, warn for 4xx.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint()
    res.on('finish', () => {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10
      const error = failures.get(req)
      const fields = { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms, ...(error ? { error: error.message } : {}) }
      log(levelFor(res.statusCode), error && res.statusCode >= 500 ? `request failed: ${error.message}` : 'request', fields)
    })
    next()
  }
}
