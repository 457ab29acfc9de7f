import net from 'node:net'
import tls from 'node:tls'

/** One app behind the proxy, with the connections still open to it. */
export class Upstream {
  private active = 0
  private waiters: (() => void)[] = []
  constructor(readonly port: number) {}

  get connections(): number {
    return this.active
  }

  opened(): void {
    this.active++
  }

  closed(): void {
    this.active--
    if (this.active === 0) for (const wake of this.waiters.splice(0)) wake()
  }

  /** Resolves true once no connection is open to this app, false after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs)
      this.waiters.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }
}

/**
 * The public port: a TCP proxy, so TLS passes through to the app untouched and the app keeps its
 * own certificate; or, with a certificate set, the TLS front of an app that speaks plain HTTP: the
 * same proxy, each accepted socket wrapped in a TLS server socket before it is piped. Each new
 * connection goes to the upstream of the moment; switching the upstream leaves open connections
 * with the app they started on, so they can finish.
 */
export class TcpProxy {
  private server: net.Server | null = null
  private upstream: Upstream | null = null
  private readonly sockets = new Set<net.Socket>()
  /** The certificate TLS is terminated with, or null to pass the bytes through as they come. */
  private secure: tls.SecureContext | null = null

  get address(): { host: string; port: number; tls: boolean } | null {
    return this.listening && { ...this.listening, tls: this.secure !== null }
  }
  private listening: { host: string; port: number } | null = null

  /** Terminates TLS on new connections from now on (null: pass-through); open ones keep theirs. */
  useTls(secure: tls.SecureContext | null): void {
    this.secure = secure
  }

  /** Listens on host:port; when already listening elsewhere, the new address replaces the old one. */
  async listen(host: string, port: number): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true }, (client) => this.handshake(client))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server?.close()
    this.server = server
    this.listening = { host, port }
  }

  /** Sends new connections to `port`; returns the upstream they went to before. */
  switchTo(port: number): { next: Upstream; previous: Upstream | null } {
    const previous = this.upstream
    this.upstream = new Upstream(port)
    return { next: this.upstream, previous }
  }

  get current(): Upstream | null {
    return this.upstream
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    const server = this.server
    this.server = null
    this.listening = null
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }

  /** With TLS, the proxying starts once the handshake is done; a failed handshake drops that client alone. */
  private handshake(raw: net.Socket): void {
    const secure = this.secure
    if (!secure) return this.accept(raw)
    this.sockets.add(raw)
    raw.on('close', () => this.sockets.delete(raw))
    const client = new tls.TLSSocket(raw, { isServer: true, secureContext: secure })
    client.on('error', () => raw.destroy())
    client.once('secure', () => this.accept(client))
  }

  private accept(client: net.Socket): void {
    const upstream = this.upstream
    // Nothing to serve yet: refuse at once rather than hold the connection.
    if (!upstream) return void client.destroy()
    upstream.opened()
    const app = net.connect({ port: upstream.port, host: '127.0.0.1', allowHalfOpen: true })
    this.sockets.add(client).add(app)
    let open = 2
    const onClose = (socket: net.Socket) => () => {
      this.sockets.delete(socket)
      if (--open === 0) upstream.closed()
    }
    client.on('close', onClose(client))
    app.on('close', onClose(app))
    // An error on either side ends both; a clean end is passed on as a half-close, after the data.
    client.on('error', () => app.destroy())
    app.on('error', () => client.destroy())
    client.pipe(app)
    app.pipe(client)
  }
}
