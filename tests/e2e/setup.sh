#!/usr/bin/env bash
# What the browser tests need beyond Python, installed when missing (run by `make test`):
#   - Debian's Chromium at /usr/bin/chromium (Playwright drives it; it never downloads a browser);
#   - axe-core from npm, which the tests inject to check WCAG 2.1 AA (package-lock.json pins it);
#   - Pango for WeasyPrint (the meeting pack's PDF) and poppler-utils (pdftoppm, pdftotext),
#     with which the PDF test reads the PDF back (scripts/system-packages.sh).
# apt-get runs as root, or through sudo when that needs no password; otherwise this stops
# and prints the exact command to run.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "The browser tests need Debian's chromium; /usr/bin/chromium is missing: installing it."
  install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -q && "${install[@]}"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -q && sudo "${install[@]}"
  else
    echo "Cannot install chromium without root. Run, then try again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2
    exit 1
  fi
  if [ ! -x /usr/bin/chromium ]; then
    echo "apt-get installed chromium, but /usr/bin/chromium is still missing." >&2
    exit 1
  fi
fi

../../scripts/system-packages.sh pdf test

if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null; then
    echo "The accessibility checks need npm (for axe-core). Run, then try again:" >&2
    echo "  sudo apt-get install -y npm" >&2
    exit 1
  fi
  npm ci --no-audit --no-fund --silent
fi
