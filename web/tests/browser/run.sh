#!/usr/bin/env bash
# Runs the browser tests in headless Chromium against real hubs the tests start themselves
# (throwaway PostgreSQL, single-process hub; Redis and two edges for the topology test).
# Needs the debug build (.build/debug, or AGENTIM_BIN_DIR) and a web build (web/dist, or WEB_DIR).
# Extra arguments go to pytest, e.g. `bash web/tests/browser/run.sh -k chat -x`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source deploy/local/web-packages.sh
install_browser_test_packages
# The system interpreter, where Debian's python3-selenium lives (a pyenv `python3` on PATH has none).
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 -m pytest web/tests/browser -p no:cacheprovider -q -rfE --durations=0 "$@"
