import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'

/** What the sandbox's stand-ins for the team's chat webhook and mail server received. */
export interface Inbox {
  webhookUrl: string
  smtpPort: number
  /** Events of the webhook messages, in the order they came (start, success, rollback…). */
  webhookEvents: string[]
  /** Subject lines of the mails, in the order they came. */
  mailSubjects: string[]
  close(): Promise<void>
}

/**
 * A local webhook receiver and a local SMTP server standing in for the team's chat and mail, so the
 * demo's notifications travel real HTTP and SMTP. Each message lands in `dir` as a file. They run
 * inside the demo's process (a new demo starts with an empty inbox): once it ends, later runs find the channels down and say so (a channel
 * that is down never fails a rollout).
 */
export async function openInbox(dir: string): Promise<Inbox> {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  let count = 0
  const keep = (suffix: string, content: string) => writeFileSync(path.join(dir, `${String(++count).padStart(3, '0')}-${suffix}`), content, { mode: 0o600 })
  const webhookEvents: string[] = []
  const mailSubjects: string[] = []

  const web = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const event = String(req.headers['x-rollout-event'] ?? 'unknown')
      webhookEvents.push(event)
      keep(`webhook-${event}.json`, body)
      res.writeHead(204).end()
    })
  })
  const smtp = net.createServer((socket) => smtpSession(socket, (raw) => {
    const subject = /^Subject: (.*)$/im.exec(raw)?.[1]?.trim() ?? '(no subject)'
    mailSubjects.push(subject)
    keep('mail.eml', raw)
  }))
  const webhookPort = await listen(web)
  const smtpPort = await listen(smtp)
  return {
    webhookUrl: `http://127.0.0.1:${webhookPort}/hooks/deployments`,
    smtpPort,
    webhookEvents,
    mailSubjects,
    close: async () => {
      web.closeAllConnections()
      await Promise.all([new Promise((r) => web.close(r)), new Promise((r) => smtp.close(r))])
    },
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))
  })
}

/**
 * The few SMTP commands a mail client needs to hand over one message (RFC 5321): no AUTH and no
 * STARTTLS are offered, so the client sends in the clear, which is fine on loopback.
 */
function smtpSession(socket: net.Socket, onMail: (raw: string) => void): void {
  let buffer = ''
  let inData = false
  let data: string[] = []
  const reply = (line: string) => socket.write(`${line}\r\n`)
  reply('220 rollout-demo-inbox ESMTP')
  socket.on('error', () => socket.destroy())
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    for (let at = buffer.indexOf('\r\n'); at >= 0; at = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, at)
      buffer = buffer.slice(at + 2)
      if (inData) {
        if (line === '.') {
          inData = false
          onMail(data.join('\r\n'))
          data = []
          reply('250 2.0.0 kept')
        } else data.push(line.startsWith('..') ? line.slice(1) : line)
        continue
      }
      const verb = line.split(' ')[0]!.toUpperCase()
      if (verb === 'EHLO' || verb === 'HELO') reply('250 rollout-demo-inbox')
      else if (verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET' || verb === 'NOOP') reply('250 2.0.0 OK')
      else if (verb === 'DATA') {
        inData = true
        reply('354 end with <CR><LF>.<CR><LF>')
      } else if (verb === 'QUIT') {
        reply('221 2.0.0 bye')
        socket.end()
      } else reply('502 5.5.2 not implemented')
    }
  })
}
