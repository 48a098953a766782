#!/bin/sh
# Installs the TextNLP appliance from an offline bundle. Idempotent: run it again to repair.
#
#   installer/install.sh --bundle textnlp-appliance-<v>-linux-x64.tar.gz [--port P]
#                        [--admin NAME] [--no-start]
#
#   system user `textnlp`, /opt/textnlp/releases/<v> + /opt/textnlp/current, settings in
#   /etc/textnlp/textnlp.env (kept when present), data in /var/lib/textnlp, the systemd unit,
#   a first admin user (password from TEXTNLP_ADMIN_PASSWORD, else generated and written to
#   /etc/textnlp/admin-password, mode 0600), then start and health check.
#
# Environment: TEXTNLP_ROOT (install under this prefix, e.g. for tests),
# TEXTNLP_SERVICE_MANAGER=systemd|direct (default: systemd when it is PID 1),
# TEXTNLP_HEALTH_TIMEOUT (seconds, default 180).
set -eu
. "$(dirname "$0")/lib.sh"

bundle=""; port=8080; admin=admin; start=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --admin) admin=$2; shift 2 ;;
    --no-start) start=no; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
[ -n "$bundle" ] || die "--bundle <file> is required"

if system_install && ! id "$SERVICE_USER" >/dev/null 2>&1; then
  say "creating system user $SERVICE_USER"
  useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
fi
if system_install; then
  # /dev/dri and /dev/kfd belong to these groups; a group missing here is simply skipped.
  for group in video render; do
    if getent group "$group" >/dev/null; then usermod -aG "$group" "$SERVICE_USER"; fi
  done
fi

release=$(unpack_release "$bundle")
version=$(cat "$release/VERSION")
say "release $version in $release"

mkdir -p "$ETC" "$DATA"
chmod 0750 "$ETC" "$DATA"
if [ ! -f "$ETC/textnlp.env" ]; then
  umask 077
  cat > "$ETC/textnlp.env" <<ENV
# TextNLP appliance settings (TEXTNLP_* variables; see README, Configuration).
TEXTNLP_HOST=127.0.0.1
TEXTNLP_PORT=$port
# TEXTNLP_MODEL=/var/lib/textnlp/models/your-model.gguf
# TEXTNLP_API_KEY=  (required before listening on anything but loopback)
# TEXTNLP_BACKUP_DIR=/srv/backups/textnlp  (better on another disk)
# TEXTNLP_BACKUP_KEY_FILE=/etc/textnlp/backup.key
ENV
  umask 022
  say "wrote $ETC/textnlp.env"
fi
if system_install; then
  chown -R "$SERVICE_USER:$SERVICE_USER" "$DATA"
  chgrp -R "$SERVICE_USER" "$ETC"
fi

point_link current "$release"
install_unit "$release"

users=$(appliance_cli "$release" users list --json)
if [ "$users" = "[]" ]; then
  password=${TEXTNLP_ADMIN_PASSWORD:-}
  if [ -z "$password" ]; then
    password=$("$release/node/bin/node" -e 'process.stdout.write(require("node:crypto").randomBytes(18).toString("base64url"))')
    (umask 077 && printf '%s\n' "$password" > "$ETC/admin-password")
    say "first admin user '$admin': password in $ETC/admin-password"
  fi
  printf '%s\n' "$password" | appliance_cli "$release" users create "$admin" --admin --password-stdin >/dev/null
fi

[ "$start" = yes ] || { say "installed $version (not started)"; exit 0; }
start_service
if health_check "$version"; then
  say "installed $version: healthy ($(service_manager))"
else
  die "installed $version but it did not become healthy; see 'journalctl -u $UNIT' or $DATA/appliance.log"
fi
