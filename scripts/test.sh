#!/usr/bin/env bash
# The whole test suite, set-up included. Ends with a line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# A database server for the tests: the one named by ROLLOUT_TEST_MYSQL_URL, else one found or
# started by the project's own sandbox code (127.0.0.1:3306, or a private server on a free port).
if [ -z "${ROLLOUT_TEST_MYSQL_URL:-}" ]; then
  if [ -f scripts/ensure-mysql.ts ] && url=$(node --import tsx scripts/ensure-mysql.ts --state-dir .rollout/test-mysql) && [ -n "$url" ]; then
    ROLLOUT_TEST_MYSQL_URL=$url
  else
    [ -f scripts/ensure-mysql.ts ] && echo "[test] scripts/ensure-mysql.ts found no server; trying 127.0.0.1:3306" >&2
    ROLLOUT_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306
  fi
  export ROLLOUT_TEST_MYSQL_URL
fi
echo "[test] database server: ${ROLLOUT_TEST_MYSQL_URL}" >&2

# A PostgreSQL server for the shared store's tests, found or started the same way (127.0.0.1:5432,
# or a private cluster on a free port, Debian's postgresql installed first when missing).
if [ -z "${ROLLOUT_TEST_POSTGRES_URL:-}" ]; then
  if url=$(node --import tsx scripts/ensure-postgres.ts --state-dir .rollout/test-postgres) && [ -n "$url" ]; then
    ROLLOUT_TEST_POSTGRES_URL=$url
  else
    echo "[test] scripts/ensure-postgres.ts found no server; trying 127.0.0.1:5432" >&2
    ROLLOUT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
  fi
  export ROLLOUT_TEST_POSTGRES_URL
fi
echo "[test] PostgreSQL server: ${ROLLOUT_TEST_POSTGRES_URL}" >&2

# The S3 client's notice about the Node versions its later releases need, once per test process.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

mapfile -t files < <(find test -name '*.test.ts' | sort)
report=$(mktemp)
trap 'rm -f "$report"' EXIT
set +e
node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$report" "${files[@]}"
status=$?
set -e
passed=$(grep -E '^# pass ' "$report" | tail -1 | awk '{print $3}')
failed=$(grep -E '^# fail ' "$report" | tail -1 | awk '{print $3}')
echo "${passed:-0} passed, ${failed:-0} failed"
exit $status
