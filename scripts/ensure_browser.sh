#!/usr/bin/env bash
# Makes sure a headless browser and its WebDriver are installed before the
# tests run: the workspace tests (tests/workspace) drive Debian's chromium
# through chromedriver. Installs both with apt-get when one is missing;
# does nothing when both are there. Fails loudly (never skips) otherwise.
set -euo pipefail
have() { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }
if have; then echo "chromium and chromedriver are installed"; exit 0; fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium chromium-driver
fi
if have; then echo "chromium and chromedriver installed"; exit 0; fi
echo "ERROR: chromium and chromedriver are needed by the workspace tests (apt-get install chromium chromium-driver)." >&2
exit 1
