#!/usr/bin/env bash
# Brings a fresh machine to where the demo and the tests run: npm packages, the compiled CLI,
# Debian's Chromium and a MySQL/MariaDB server. Reuses whatever is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund >&2
fi

log "compiling (npm run build)"
npm run --silent build >&2

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's chromium (about 100 s)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  else
    log "no Chromium found and cannot install it (needs root and apt-get): browser tests will say so"
  fi
fi
