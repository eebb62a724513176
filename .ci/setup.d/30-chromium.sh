#!/usr/bin/env bash
# The sample's browser test drives Debian's Chromium through Playwright (never `playwright install`).
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
