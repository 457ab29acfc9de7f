#!/usr/bin/env node
// The CLI entry: everything lives in the compiled dist/ (npm run build).
import { main } from '../dist/cli/main.js'

// The pinned S3 client works on this Node; its notice that later releases will need a newer one
// would land in every deploy's output, where it helps nobody decide anything about the deploy.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

// Exit explicitly: a step may leave a handle open (a socket, a timer) that must not keep the process alive.
process.exit(await main(process.argv))
