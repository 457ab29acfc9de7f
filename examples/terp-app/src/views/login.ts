import { html, type Html } from './html.js'
import { page } from './layout.js'

/** The staff login and the client portal login: the same form, each with its own test ids. */
export function loginPage(opts: { title: string; action: string; prefix: 'login' | 'vip'; email?: string; error?: string; next?: string }): Html {
  const id = (name: string) => `${opts.prefix}-${name}`
  return page(
    opts.title,
    html`<h1>${opts.title}</h1>
${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
<form class="card" method="post" action="${opts.action}">
  ${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ''}
  <label for="${id('email')}">Email</label>
  <input id="${id('email')}" name="email" type="email" autocomplete="username" required value="${opts.email ?? ''}" data-testid="${id('email')}">
  <label for="${id('password')}">Password</label>
  <input id="${id('password')}" name="password" type="password" autocomplete="current-password" required data-testid="${id('password')}">
  <button class="primary" type="submit" data-testid="${id('submit')}">Log in</button>
</form>`,
  )
}
