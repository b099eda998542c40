#!/usr/bin/env bash
# Installs what building and testing agent needs on a fresh Debian machine that has only Node.js and npm:
# Bun (pinned, from npm), the Debian packages the tests talk to (.ci/apt-packages.txt), and the workspace's
# npm dependencies. Safe to run again: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=$(sed -n 's/.*"packageManager": *"bun@\([^"]*\)".*/\1/p' package.json)
if [ "$(bun --version 2>/dev/null || true)" != "$BUN_VERSION" ]; then
  echo "setup: installing bun $BUN_VERSION from npm"
  # npm 11 holds back install scripts unless allowed; bun's links the platform binary into place.
  npm install -g --no-fund --no-audit --allow-scripts=bun "bun@$BUN_VERSION"
fi

if [ "${SKIP_APT:-}" != "1" ]; then
  mapfile -t wanted < <(grep -v '^\s*#' .ci/apt-packages.txt | awk 'NF{print $1}')
  missing=()
  for p in "${wanted[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

bun install --frozen-lockfile
