#!/bin/sh
# Removes the TextNLP appliance: stops it, removes the unit and /opt/textnlp. Settings
# (/etc/textnlp) and data (/var/lib/textnlp: database, models, backups, archives) are kept
# unless --purge is given, which also removes the system user. Same environment as install.sh.
set -eu
. "$(dirname "$0")/lib.sh"

purge=no
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) purge=yes; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done

stop_service
if [ "$(service_manager)" = systemd ]; then systemctl disable "$UNIT" >/dev/null 2>&1 || true; fi
rm -f "$UNIT_DIR/$UNIT"
if [ "$(service_manager)" = systemd ]; then systemctl daemon-reload; fi
rm -rf "$OPT"
if [ "$purge" = yes ]; then
  rm -rf "$ETC" "$DATA"
  if system_install && id "$SERVICE_USER" >/dev/null 2>&1; then userdel "$SERVICE_USER"; fi
  say "removed, with settings and data"
else
  say "removed; kept settings in $ETC and data in $DATA (uninstall.sh --purge removes them)"
fi
