import { html, type Html } from './html.js'
import { page } from './layout.js'

export function errorPage(status: number, message: string): Html {
  const title = status === 404 ? 'Not found' : status >= 500 ? 'Something went wrong' : 'Request refused'
  return page(title, html`<h1>${title}</h1><p class="error" data-testid="error">${message}</p><p><a href="/dashboard">Back to the dashboard</a></p>`)
}
