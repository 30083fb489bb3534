#!/usr/bin/env bash
# Debian packages for the web client (build, unit tests) and its browser tests, installed only
# when missing. No npm: every JavaScript dependency is a Debian node-* package (web-ui.md §0).
# Source it, then: install_web_packages; install_browser_test_packages.

_install_missing_debs() {
  local need=() pkg
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
  fi
}

# What `bash web/build.sh` and `bash web/test.sh` need.
install_web_packages() {
  _install_missing_debs nodejs esbuild node-typescript node-react node-react-dom node-marked \
    node-dompurify node-highlight.js node-qrcode-generator
}

# What web/tests/browser needs: Debian's Chromium and its driver, and the system Python
# (/usr/bin/python3) with Debian's selenium, pytest and websockets.
install_browser_test_packages() {
  _install_missing_debs chromium chromium-driver python3 python3-selenium python3-pytest python3-websockets
  # The tests start their own throwaway PostgreSQL and Redis (and psql to create databases).
  local extra=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || extra+=(postgresql)
  command -v psql >/dev/null 2>&1 || extra+=(postgresql-client)
  command -v redis-server >/dev/null 2>&1 || extra+=(redis-server)
  [ ${#extra[@]} -eq 0 ] || _install_missing_debs "${extra[@]}"
}
