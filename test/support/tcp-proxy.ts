import net from 'node:net'

export interface TcpProxy {
  /** The port clients connect to instead of the server's. */
  port: number
  /** The database gone from the network: open connections dropped, new ones refused. */
  cut(): Promise<void>
  /** Reachable again on the same port. */
  restore(): Promise<void>
  close(): Promise<void>
}

/** A TCP relay to host:port that a test can cut and restore, as a network partition would. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  let server: net.Server | null = null
  let port = 0
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => undefined)
        }
        client.pipe(upstream).pipe(client)
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
      })
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port
        resolve()
      })
    })
  const stop = async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    server = null
  }
  await listen()
  return { get port() { return port }, cut: stop, restore: listen, close: stop }
}
