#!/usr/bin/env bash
# Dump the AgentIM database (pg_dump custom format) to a file.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: DATABASE_URL=postgresql://user:pass@host:5432/agentim deploy/ops/backup.sh [FILE]

Writes a pg_dump custom-format archive (-Fc, no owner, no ACLs) of DATABASE_URL to FILE,
default ${BACKUP_DIR:-.}/agentim-<UTC timestamp>.dump, and prints its path.
Restore it with deploy/ops/restore.sh. Needs pg_dump of the server's major version or newer.

In docker compose (the database port is not published), dump from inside the container:
  docker compose exec -T postgres pg_dump -U agentim -Fc agentim > agentim.dump
TXT
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  -*) usage >&2; exit 2 ;;
esac
if [ "$#" -gt 1 ]; then usage >&2; exit 2; fi
if [ -z "${DATABASE_URL:-}" ]; then
  echo "backup.sh: DATABASE_URL is not set; refusing to guess which database to dump." >&2
  usage >&2
  exit 2
fi
command -v pg_dump >/dev/null || { echo "backup.sh: pg_dump not found (install postgresql-client)" >&2; exit 1; }

out=${1:-${BACKUP_DIR:-.}/agentim-$(date -u +%Y%m%dT%H%M%SZ).dump}
mkdir -p "$(dirname "$out")"
tmp="$out.partial"
trap 'rm -f "$tmp"' EXIT
umask 077
# Written under a temporary name, renamed only when pg_dump succeeded.
pg_dump --format=custom --no-owner --no-acl --file="$tmp" "$DATABASE_URL"
mv "$tmp" "$out"
trap - EXIT
echo "$out"
