#!/usr/bin/env bash
# What the browser and deployment tests need beyond Python, installed when missing (run by `make test`):
#   - Debian's Chromium at /usr/bin/chromium (Playwright drives it; it never downloads a browser);
#   - Debian's nginx at /usr/sbin/nginx (the deployment test runs deploy/'s site in it);
#   - axe-core from npm, which the tests inject to check WCAG 2.1 AA (package-lock.json pins it);
#   - Pango for WeasyPrint (the meeting pack's PDF) and poppler-utils (pdftoppm, pdftotext),
#     with which the PDF test reads the PDF back (scripts/system-packages.sh).
# apt-get runs as root, or through sudo when that needs no password; otherwise this stops
# and prints the exact command to run.
set -euo pipefail
cd "$(dirname "$0")"

# apt_install PACKAGE PROGRAM WHY: install Debian's PACKAGE when PROGRAM is missing.
apt_install() {
  local package=$1 program=$2 why=$3
  [ -x "$program" ] && return 0
  echo "$why; $program is missing: installing $package."
  local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package")
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -q && "${install[@]}"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -q && sudo "${install[@]}"
  else
    echo "Cannot install $package without root. Run, then try again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y $package" >&2
    exit 1
  fi
  if [ ! -x "$program" ]; then
    echo "apt-get installed $package, but $program is still missing." >&2
    exit 1
  fi
}

apt_install chromium /usr/bin/chromium "The browser tests need Debian's chromium"
# The deployment test (tests/reliability/test_deployment.py) runs deploy/nginx/tracker.conf
# in Debian's nginx, as the current user in a folder of its own: no service is started.
# (Installing the package may start the system's nginx on port 80 where systemd runs.)
apt_install nginx /usr/sbin/nginx "The deployment test needs Debian's nginx"

../../scripts/system-packages.sh pdf test

if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null; then
    echo "The accessibility checks need npm (for axe-core). Run, then try again:" >&2
    echo "  sudo apt-get install -y npm" >&2
    exit 1
  fi
  npm ci --no-audit --no-fund --silent
fi
