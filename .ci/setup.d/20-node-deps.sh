#!/usr/bin/env bash
# Installs the npm packages of the real-client RPC test (effect 4.1.0 and effect 4.0.0-beta.57 as "effect-beta")
# from the committed package-lock.json. NodeClientTests skip without them unless HAZEL_REQUIRE_E2E=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/Hazel.Presence.AspNetCore.Tests/node"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "20-node-deps: node/npm not found; the real-client RPC test cannot run" >&2
  exit 1
fi
npm ci --no-audit --no-fund --ignore-scripts
