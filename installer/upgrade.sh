#!/bin/sh
# Upgrades the installed appliance to a new offline bundle, and rolls back when it fails.
#
#   installer/upgrade.sh --bundle textnlp-appliance-<v>-linux-x64.tar.gz
#
# Stops the service, takes a backup of the database with the running release (`backup now`),
# switches /opt/textnlp/current to the new release (the old one stays, linked as `previous`),
# starts it (it migrates the database) and checks its health. If the new release is not
# healthy: stop it, point `current` back, restore the backup with the old release, start the
# old one again, and exit 1. Same environment as install.sh.
set -eu
. "$(dirname "$0")/lib.sh"

bundle=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
[ -n "$bundle" ] || die "--bundle <file> is required"
old=$(current_release)
[ -n "$old" ] || die "nothing installed under $OPT: run install.sh first"

new=$(unpack_release "$bundle")
old_version=$(cat "$old/VERSION"); new_version=$(cat "$new/VERSION")
if [ "$old" = "$new" ]; then
  say "already at $new_version"
  start_service
  health_check "$new_version" || die "$new_version is installed but not healthy"
  exit 0
fi
say "upgrading $old_version -> $new_version"

stop_service
backup=$(appliance_cli "$old" backup now --json) || die "backup before upgrading failed; nothing changed"
backup_id=$("$old/node/bin/node" -e 'process.stdout.write(JSON.parse(process.argv[1]).id)' "$backup")
printf 'from=%s\nto=%s\nbackup=%s\n' "$old_version" "$new_version" "$backup_id" > "$OPT/upgrade-state"
say "database backed up as $backup_id"

point_link previous "$old"
point_link current "$new"
install_unit "$new"
start_service
if health_check "$new_version"; then
  rm -f "$OPT/upgrade-state"
  say "upgraded to $new_version (previous release kept in $old)"
  exit 0
fi

say "$new_version failed its health check: rolling back to $old_version"
stop_service
point_link current "$old"
install_unit "$old"
appliance_cli "$old" restore "$backup_id" >&2 || die "restore of $backup_id failed: the database may be migrated; restore it by hand"
start_service
if health_check "$old_version"; then
  rm -f "$OPT/upgrade-state"
  die "upgrade to $new_version failed; rolled back to $old_version (code and database)"
fi
die "upgrade to $new_version failed and $old_version did not come back healthy either"
