import type { Notification } from './notifier.js'

/** The message as plain text: title, text, one "label: value" line per field, the link. */
export function notificationText(message: Notification): string {
  const lines = [message.title]
  if (message.text) lines.push(message.text)
  for (const f of message.fields) lines.push(`${f.label}: ${f.value}`)
  if (message.url) lines.push(message.url)
  return lines.join('\n')
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

/** A small self-contained HTML body for mail clients: inline styles only, every value escaped. */
export function notificationHtml(message: Notification): string {
  const rows = message.fields
    .map((f) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`)
    .join('')
  const link = message.url && /^https?:\/\//i.test(message.url) ? `<p><a href="${escapeHtml(message.url)}">${escapeHtml(message.url)}</a></p>` : message.url ? `<p>${escapeHtml(message.url)}</p>` : ''
  const text = message.text ? `<p style="white-space:pre-wrap">${escapeHtml(message.text)}</p>` : ''
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(message.title)}</h2>`,
    text,
    rows ? `<table style="border-collapse:collapse">${rows}</table>` : '',
    link,
    `<p style="color:#666;font-size:12px">rollout · ${escapeHtml(message.environment)} · run ${escapeHtml(message.runId)}</p>`,
    '</body></html>',
  ].join('')
}
