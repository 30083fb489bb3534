#!/usr/bin/env bash
# Unit tests of the web client: bundles web/tests/unit/*.test.ts for node with esbuild,
# then runs them with `node --test`. Usage: bash web/test.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/.test-build"
rm -rf "$out"
mkdir -p "$out"
export ESBUILD_BINARY_PATH="${ESBUILD_BINARY_PATH:-$(command -v esbuild || echo /usr/bin/esbuild)}"
NODE_PATH=/usr/share/nodejs node -e '
const esbuild = require(require("fs").readdirSync("/usr/lib").map((d) => `/usr/lib/${d}/nodejs/esbuild`).find((d) => require("fs").existsSync(d + "/package.json")) || "esbuild");
const fs = require("fs"), path = require("path");
const dir = process.argv[1], out = process.argv[2];
const entries = fs.readdirSync(path.join(dir, "tests/unit")).filter((f) => f.endsWith(".test.ts")).map((f) => path.join(dir, "tests/unit", f));
esbuild.build({ entryPoints: entries, bundle: true, platform: "node", format: "esm", outdir: out, outExtension: { ".js": ".mjs" },
  nodePaths: ["/usr/share/nodejs"], mainFields: ["module", "main"], jsx: "automatic", logLevel: "warning",
  external: ["node:*"] }).catch(() => process.exit(1));
' "$here" "$out"
cd "$out"
node --test *.mjs
