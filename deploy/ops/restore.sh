#!/usr/bin/env bash
# Restore an AgentIM database from a backup.sh archive (pg_restore --clean --if-exists).
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: DATABASE_URL=postgresql://user:pass@host:5432/agentim deploy/ops/restore.sh --yes FILE

Replaces the objects of DATABASE_URL with those in FILE (a pg_dump -Fc archive from
deploy/ops/backup.sh): pg_restore --clean --if-exists --no-owner --no-acl, in one
transaction (all or nothing). --yes confirms that the current contents may be dropped.
Stop the hub first (docker compose stop / kubectl scale --replicas=0 / systemctl stop),
and start it again afterwards.

In docker compose:
  docker compose exec -T postgres pg_restore -U agentim -d agentim --clean --if-exists \
    --no-owner --no-acl --single-transaction < agentim.dump
TXT
}

yes=no
args=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    -y|--yes) yes=yes ;;
    -*) usage >&2; exit 2 ;;
    *) args+=("$arg") ;;
  esac
done
if [ "${#args[@]}" -ne 1 ]; then usage >&2; exit 2; fi
file=${args[0]}
if [ -z "${DATABASE_URL:-}" ]; then
  echo "restore.sh: DATABASE_URL is not set; refusing to guess which database to overwrite." >&2
  usage >&2
  exit 2
fi
if [ ! -r "$file" ]; then echo "restore.sh: cannot read $file" >&2; exit 2; fi
if [ "$yes" != yes ]; then
  echo "restore.sh: this drops and recreates the AgentIM tables in DATABASE_URL; add --yes to proceed." >&2
  exit 2
fi
command -v pg_restore >/dev/null || { echo "restore.sh: pg_restore not found (install postgresql-client)" >&2; exit 1; }

pg_restore --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$file"
echo "restored $file"
