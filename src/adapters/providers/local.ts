/** The `local` provider: releases on a host of the team's own, served by a supervisor with zero-downtime switches. */
export { createLocalProvider } from './local/provider.js'
export { stopLocalSite, localSiteStatus, type LocalSiteStatus } from './local/site-control.js'
export { localProviderOptions, type LocalProviderOptions } from './local/options.js'
export { checkLocalProviderFiles } from './local/tls-files.js'
