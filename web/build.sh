#!/usr/bin/env bash
# Builds the web client into web/dist with Debian's esbuild and TypeScript (no npm).
# Usage: bash web/build.sh [--no-check]   (--no-check skips the tsc type check)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
if [[ "${1:-}" != "--no-check" ]]; then
  tsc --noEmit -p "$here"
fi
NODE_PATH=/usr/share/nodejs node "$here/scripts/build.mjs"
