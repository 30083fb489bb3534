#!/usr/bin/env bash
# The API fuzz suites (Tests/fuzz): schemathesis over REST from the served OpenAPI document, and
# hypothesis over /ws/client and /ws/gateway, each against the single-process hub and the
# distributed topology on real PostgreSQL and Redis (the test script's AGENTIM_TEST_PG /
# AGENTIM_TEST_REDIS, else throwaway ones). Needs the hub built (.build/debug or release).
#   bash Tests/fuzz/run.sh            bounded, for CI (a few minutes)
#   bash Tests/fuzz/run.sh --long     the long run (or FUZZ_LONG=1); also --mode single|distributed, --only rest|ws
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import schemathesis, hypothesis, websockets" 2>/dev/null \
  || python3 -m pip install -q --disable-pip-version-check schemathesis hypothesis websockets
# The debug build test.sh just made, unless told otherwise (hubkit would prefer a release build).
export AGENTIM_BIN_DIR="${AGENTIM_BIN_DIR:-$PWD/.build/debug}"
exec python3 Tests/fuzz/fuzz.py "$@"
