#!/usr/bin/env bash
# Debian packages the tracker needs outside Python, installed when missing (apt-get, as root
# or through sudo when that needs no password). Groups:
#   pdf   what WeasyPrint (the meeting pack's PDF) loads at run time: Pango and a font;
#   test  what the PDF test uses to look at the PDF: poppler's pdftoppm and pdftotext.
# With --warn-only a package that cannot be installed is a warning, not a failure: the
# service runs without it (the PDF link answers a 503 page saying so).
set -euo pipefail

warn_only=0
groups=()
for arg in "$@"; do
  case "$arg" in
    --warn-only) warn_only=1 ;;
    pdf|test) groups+=("$arg") ;;
    *) echo "usage: $0 [--warn-only] pdf|test ..." >&2; exit 2 ;;
  esac
done

missing=()
for group in "${groups[@]}"; do
  case "$group" in
    pdf)
      ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
      ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
      fc-list 2>/dev/null | grep -q . || missing+=(fonts-dejavu-core)
      ;;
    test)
      command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || missing+=(poppler-utils)
      ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing the Debian packages ${missing[*]} (missing)."
install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}")
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -q && "${install[@]}" && exit 0
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -q && sudo "${install[@]}" && exit 0
fi
echo "Cannot install ${missing[*]} without root. Run:" >&2
echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
if [ "$warn_only" -eq 1 ]; then
  echo "(Carrying on: the meeting pack's PDF link will answer a 503 page until they are installed.)" >&2
  exit 0
fi
exit 1
