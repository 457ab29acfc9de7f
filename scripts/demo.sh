#!/usr/bin/env bash
# The demo rollout, set-up included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/rollout.js demo "$@"
