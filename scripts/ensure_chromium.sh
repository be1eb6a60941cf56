#!/usr/bin/env bash
# Headless Chromium for the web app's browser tests: Debian's package, never Playwright's download.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian chromium and chromium-driver for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  exit 0
fi
echo "error: /usr/bin/chromium is missing. Install Debian's 'chromium' and 'chromium-driver'" >&2
echo "packages (sudo apt-get install chromium chromium-driver), then rerun 'make test'." >&2
exit 1
