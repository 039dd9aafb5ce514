#!/usr/bin/env bash
# A backup now, and keep the newest $TRACKER_BACKUP_KEEP (default 14) of them.
# Run by tracker-backup.service (nightly, tracker-backup.timer); by hand:
#   sudo -u tracker env $(cat /etc/tracker/tracker.env | xargs) /srv/tracker/app/deploy/backup.sh
# Old archives are removed by count, not by age, and only after a new one was written:
# if backups fail for weeks, the last good ones stay.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${TRACKER_BACKUP_DIR:-/var/backups/tracker}"
keep="${TRACKER_BACKUP_KEEP:-14}"
flask="${TRACKER_FLASK:-/srv/tracker/venv/bin/flask}"
mkdir -p "$dir"

archive="$dir/tracker-backup-$(date -u +%Y%m%dT%H%M%SZ).tar.gz"
"$flask" --app wsgi backup create --output "$archive.partial"
mv "$archive.partial" "$archive"   # a half-written archive never counts as a backup

ls -1t "$dir"/tracker-backup-*.tar.gz | tail -n +"$((keep + 1))" | while read -r old; do
  rm -f -- "$old"
done
echo "backup: $archive ($(ls -1 "$dir"/tracker-backup-*.tar.gz | wc -l) kept in $dir)"
