#!/usr/bin/env bash
# Builds and runs the single-process hub on http://localhost:3000 with a local PostgreSQL
# kept in .local/ (installed from Debian packages if missing, initialised and started here),
# serving the web client it builds first (web/dist). Logs at info (LOG_LEVEL=debug for more).
# Ctrl-C stops the hub and the database.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/throwaway-services.sh
source deploy/local/web-packages.sh

install_test_packages
install_web_packages
STATE="$PWD/.local"
mkdir -p "$STATE"
PGPORT=${AGENTIM_PG_PORT:-54329}
start_postgres "$STATE/postgres" durable
trap 'stop_postgres' EXIT
create_database agentim

if [ -z "${ADMIN_PASSWORD:-}" ]; then
  if [ ! -s "$STATE/admin-password" ]; then
    # 20 random characters plus one of each class, so it passes the production rule too.
    echo "$(head -c 15 /dev/urandom | base64 | tr -d '/+=')Aa1!" > "$STATE/admin-password"
    chmod 600 "$STATE/admin-password"
  fi
  ADMIN_PASSWORD=$(cat "$STATE/admin-password")
fi
if [ -z "${JWT_SECRET:-}" ]; then
  [ -s "$STATE/jwt-secret" ] || { head -c 32 /dev/urandom | base64 > "$STATE/jwt-secret"; chmod 600 "$STATE/jwt-secret"; }
  JWT_SECRET=$(cat "$STATE/jwt-secret")
fi

CONFIGURATION=${AGENTIM_BUILD:-release}
swift build -c "$CONFIGURATION" --product agentim-server
bash web/build.sh

export DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/agentim"
export ADMIN_USERNAME=${ADMIN_USERNAME:-admin} ADMIN_PASSWORD JWT_SECRET
export PORT=${PORT:-3000} UPLOAD_DIR=${UPLOAD_DIR:-$STATE/uploads} WEB_DIR=${WEB_DIR:-$PWD/web/dist}
# The hub's own default outside production is debug, where the lifecycle library prints whole
# service descriptions; a person running the hub wants info.
export LOG_LEVEL=${LOG_LEVEL:-info}
echo
echo "AgentIM hub on http://localhost:$PORT"
echo "Admin login: $ADMIN_USERNAME / $ADMIN_PASSWORD"
echo
".build/$CONFIGURATION/agentim-server"
