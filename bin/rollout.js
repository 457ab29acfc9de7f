#!/usr/bin/env node
// The CLI entry: everything lives in the compiled dist/ (npm run build).
import { main } from '../dist/cli/main.js'

// Exit explicitly: a step may leave a handle open (a socket, a timer) that must not keep the process alive.
process.exit(await main(process.argv))
