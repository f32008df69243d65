#!/usr/bin/env bash
# Makes sure Debian's `chromium` is installed, for the browser tests (Playwright drives it).
# Playwright's own browser download is not used: the system package is.
# Idempotent and quiet when chromium is already on PATH. Recommends are skipped (udev, printing
# tools, ...); fonts-liberation is the one worth having, for readable screenshots.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "ensure-chromium: chromium is not installed and this user cannot install packages." >&2
  echo "ensure-chromium: install it as root with: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: chromium is not on PATH and apt-get is unavailable; install chromium by hand." >&2
  exit 1
fi

echo "ensure-chromium: installing Debian's chromium package (this takes a minute)..." >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null

if ! command -v chromium >/dev/null 2>&1; then
  echo "ensure-chromium: chromium was installed but is still not on PATH" >&2
  exit 1
fi
echo "ensure-chromium: $(chromium --version 2>/dev/null || echo chromium) installed" >&2
