import { html, type Html } from './html.js'
import { page } from './layout.js'

/**
 * The staff login (a username: TERP's `#username`) and the client portal login (an email), the
 * same form with TERP's element ids.
 */
export function loginPage(opts: { title: string; action: string; prefix: 'login' | 'vip'; email?: string; error?: string; next?: string }): Html {
  const id = (name: string) => `${opts.prefix}-${name}`
  const user = opts.prefix === 'login' ? { id: 'username', label: 'Username', type: 'text' } : { id: 'email', label: 'Email', type: 'email' }
  return page(
    opts.title,
    html`<h1>${opts.title}</h1>
${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
<form class="card" method="post" action="${opts.action}">
  ${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ''}
  <label for="${user.id}">${user.label}</label>
  <input id="${user.id}" name="${user.id}" type="${user.type}" autocomplete="username" required value="${opts.email ?? ''}" data-testid="${id('email')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required data-testid="${id('password')}">
  <button class="primary" type="submit" data-testid="${id('submit')}">Log in</button>
</form>`,
  )
}
