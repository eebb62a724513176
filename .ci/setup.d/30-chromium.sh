#!/usr/bin/env bash
# The sample's browser test drives Debian's Chromium through Playwright (never `playwright install`).
# The emoji font only makes the saved screenshots readable; the test does not depend on it.
set -euo pipefail

packages=()
[[ -x /usr/bin/chromium ]] || packages+=(chromium)
compgen -G '/usr/share/fonts/truetype/noto/NotoColorEmoji*' >/dev/null || packages+=(fonts-noto-color-emoji)

if (( ${#packages[@]} == 0 )); then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${packages[@]}"
