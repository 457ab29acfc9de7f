import express, { Router } from 'express'
import { verifyPortalClient, verifyStaff } from '../services/accounts.js'
import { cookieHeader, PORTAL_COOKIE, signSession, STAFF_COOKIE } from '../http/session.js'
import { loginPage } from '../views/login.js'
import { safeNext, sendPage, type PageDeps } from './support.js'

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name]
  return typeof v === 'string' ? v : ''
}

/**
 * The staff login: the /login form (→ /dashboard) and TERP's JSON login, POST /api/auth/login with
 * {username, password} (the username is the staff member's email here). The client portal has its
 * own login (/vip-portal/login → /vip-portal).
 */
export function authPages(deps: PageDeps): Router {
  const router = Router()
  const staffForm = { title: 'Log in to TERP', action: '/login', prefix: 'login' as const }
  const portalForm = { title: 'Client portal', action: '/vip-portal/login', prefix: 'vip' as const }

  router.get('/', (_req, res) => res.redirect(303, '/dashboard'))
  router.get('/login', (req, res) => sendPage(res, loginPage({ ...staffForm, next: safeNext(req.query.next, '') || undefined })))
  router.post('/api/auth/login', express.json({ limit: '4kb' }), async (req, res) => {
    const user = await verifyStaff(deps.store, field(req.body, 'username'), field(req.body, 'password'))
    if (!user) return void res.status(401).json({ error: 'Invalid username or password' })
    res.setHeader('Set-Cookie', cookieHeader(STAFF_COOKIE, signSession(deps.sessionSecret, { kind: 'staff', id: user.id, name: user.name }), deps.secure))
    res.json({ user })
  })
  router.post('/login', async (req, res) => {
    const email = field(req.body, 'username')
    const user = await verifyStaff(deps.store, email, field(req.body, 'password'))
    if (!user) return sendPage(res, loginPage({ ...staffForm, email, error: 'Wrong username or password.' }), 401)
    res.setHeader('Set-Cookie', cookieHeader(STAFF_COOKIE, signSession(deps.sessionSecret, { kind: 'staff', id: user.id, name: user.name }), deps.secure))
    res.redirect(303, safeNext(field(req.body, 'next'), '/dashboard'))
  })
  router.post('/logout', (_req, res) => {
    res.setHeader('Set-Cookie', cookieHeader(STAFF_COOKIE, '', deps.secure))
    res.redirect(303, '/login')
  })

  router.get('/vip-portal/login', (_req, res) => sendPage(res, loginPage(portalForm)))
  router.post('/vip-portal/login', async (req, res) => {
    const email = field(req.body, 'email')
    const client = await verifyPortalClient(deps.store, email, field(req.body, 'password'))
    if (!client) return sendPage(res, loginPage({ ...portalForm, email, error: 'Wrong email or password.' }), 401)
    res.setHeader('Set-Cookie', cookieHeader(PORTAL_COOKIE, signSession(deps.sessionSecret, { kind: 'portal', id: client.id, name: client.name }), deps.secure))
    res.redirect(303, '/vip-portal')
  })
  router.post('/vip-portal/logout', (_req, res) => {
    res.setHeader('Set-Cookie', cookieHeader(PORTAL_COOKIE, '', deps.secure))
    res.redirect(303, '/vip-portal/login')
  })
  return router
}
