import type { Db } from '../db/connection.js'
import type { Features } from '../release.js'

/** What every data function needs: the database, and which release's schema it has. */
export interface Store {
  db: Db
  features: Features
}

/** Bad input from a form or a call: shown to the user (HTTP 400 / tRPC BAD_REQUEST), never logged as an error. */
export class InputError extends Error {}
