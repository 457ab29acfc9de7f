/** Replaces every known secret value in text with `[redacted]`. Secrets register when the config resolves. */
export class Redactor {
  private readonly secrets = new Set<string>()

  add(value: string | undefined): void {
    // Very short values would redact ordinary words; a secret that short is not worth hiding anyway.
    if (!value || value.length < 4) return
    this.secrets.add(value)
    this.secrets.add(encodeURIComponent(value))
  }

  /** Registers a URL's password (and the URL itself) so neither leaks. */
  addUrl(url: string): void {
    this.add(url)
    try {
      const parsed = new URL(url)
      if (parsed.password) {
        this.add(decodeURIComponent(parsed.password))
        this.add(parsed.password)
      }
    } catch {
      // not a URL: the whole value is already registered
    }
  }

  redact(text: string): string {
    let out = text
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join('[redacted]')
    }
    return out
  }

  /** Deep copy of a JSON-like value with every string redacted. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v)
      return out as T
    }
    return value
  }
}
