import { readFileSync } from 'node:fs'
import path from 'node:path'
import tls from 'node:tls'
import { ConfigError } from '../../../shared/errors.js'
import { formatPath } from '../../../config/issues.js'

/** Where the TLS front's certificate and key are: absolute paths, the only form sent to the supervisor. */
export interface TlsFiles {
  certFile: string
  keyFile: string
}

/** The contents the front serves with. The key stays in the supervisor's memory, never in a log line. */
export interface TlsMaterial {
  cert: Buffer
  key: Buffer
}

export function tlsFilesOf(tls: { cert: string; key: string } | undefined, cwd: string): TlsFiles | undefined {
  return tls ? { certFile: path.resolve(cwd, tls.cert), keyFile: path.resolve(cwd, tls.key) } : undefined
}

/**
 * Reads both files. A failure names the option (`<at>.tls.cert`), the path and why, never the
 * content: a key file read as a certificate must not show up in an error.
 */
export function readTlsFiles(files: TlsFiles, at: (string | number)[] = ['provider']): TlsMaterial {
  const read = (file: string, key: 'cert' | 'key') => {
    try {
      return readFileSync(file)
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      throw new ConfigError(`${formatPath([...at, 'tls', key])}: cannot read ${file} (${why}); expected a readable PEM file`)
    }
  }
  return { cert: read(files.certFile, 'cert'), key: read(files.keyFile, 'key') }
}

/** The config boundary's check: both files readable, so a missing certificate stops the run before anything changes. */
export function checkLocalProviderFiles(options: { tls?: { cert: string; key: string } }, root: string, at: (string | number)[]): void {
  const files = tlsFilesOf(options.tls, root)
  if (files) secureContextOf(readTlsFiles(files, at), at)
}

/** The TLS settings of the front; a certificate and key that do not fit together are named as `<at>.tls`. */
export function secureContextOf(material: TlsMaterial, at: (string | number)[] = ['provider']): tls.SecureContext {
  try {
    return tls.createSecureContext({ cert: material.cert, key: material.key })
  } catch (error) {
    // OpenSSL's reason only ("key values mismatch", "no start line"): it never quotes the files.
    throw new ConfigError(`${formatPath([...at, 'tls'])}: the certificate and key cannot serve TLS (${(error as Error).message}); expected a PEM certificate and its private key`)
  }
}
