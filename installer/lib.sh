# Shared by install.sh, upgrade.sh and uninstall.sh (sourced, not run).
#
# Every path hangs off TEXTNLP_ROOT (default empty, i.e. /), so tests install into a
# throwaway prefix. The service is run by systemd when it is PID 1 and no prefix is set;
# otherwise (containers, chroots, tests) the binary is started directly, detached, logging to
# <data>/appliance.log. Force either with TEXTNLP_SERVICE_MANAGER=systemd|direct.

ROOT=${TEXTNLP_ROOT:-}
ROOT=${ROOT%/}
OPT="$ROOT/opt/textnlp"
ETC="$ROOT/etc/textnlp"
DATA="$ROOT/var/lib/textnlp"
UNIT_DIR="$ROOT/etc/systemd/system"
UNIT=textnlp-appliance.service
SERVICE_USER=textnlp
HEALTH_TIMEOUT=${TEXTNLP_HEALTH_TIMEOUT:-180}

say() { printf 'textnlp: %s\n' "$*"; }
die() { printf 'textnlp: error: %s\n' "$*" >&2; exit 1; }

service_manager() {
  if [ -n "${TEXTNLP_SERVICE_MANAGER:-}" ]; then echo "$TEXTNLP_SERVICE_MANAGER"
  elif [ -z "$ROOT" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then echo systemd
  else echo direct
  fi
}

# True when installing for real on this host (root, no prefix): users and ownership are set.
system_install() { [ -z "$ROOT" ] && [ "$(id -u)" = 0 ]; }

# Runs the installed CLI (as the service user on a system install) with the installed settings.
appliance_cli() {
  release=$1; shift
  (
    set -a
    [ -f "$ETC/textnlp.env" ] && . "$ETC/textnlp.env"
    set +a
    export TEXTNLP_DATA_DIR="$DATA"
    if system_install && command -v runuser >/dev/null; then
      runuser -u "$SERVICE_USER" -- "$release/bin/textnlp-appliance" "$@"
    else
      "$release/bin/textnlp-appliance" "$@"
    fi
  )
}

# Unpacks a bundle (.tar.gz or .tar) into $OPT/releases/<version>, verifying SHA256SUMS;
# an already unpacked, intact release is kept. Prints the release directory.
unpack_release() {
  bundle=$1
  [ -f "$bundle" ] || die "no bundle at $bundle"
  if [ -f "$bundle.sha256" ]; then
    (cd "$(dirname "$bundle")" && sha256sum -c --quiet "$(basename "$bundle").sha256" >&2) ||
      die "$bundle does not match $bundle.sha256"
  fi
  mkdir -p "$OPT/releases"
  tmp=$(mktemp -d "$OPT/releases/.unpack.XXXXXX")
  tar -xf "$bundle" -C "$tmp" || { rm -rf "$tmp"; die "cannot unpack $bundle"; }
  top=$(ls "$tmp")
  [ -f "$tmp/$top/VERSION" ] || { rm -rf "$tmp"; die "$bundle is not a TextNLP bundle"; }
  (cd "$tmp/$top" && sha256sum -c --quiet SHA256SUMS >&2) ||
    { rm -rf "$tmp"; die "$bundle is damaged: its files do not match SHA256SUMS"; }
  version=$(cat "$tmp/$top/VERSION")
  target="$OPT/releases/$version"
  if [ -d "$target" ] && (cd "$target" && sha256sum -c --quiet SHA256SUMS >/dev/null 2>&1); then
    rm -rf "$tmp"
  else
    rm -rf "$target"
    mv "$tmp/$top" "$target"
    rm -rf "$tmp"
  fi
  echo "$target"
}

# Points $OPT/<link> at a release, atomically (rename over the old link).
point_link() {
  link=$1; release=$2
  ln -sfn "releases/$(basename "$release")" "$OPT/.$link.new"
  mv -T "$OPT/.$link.new" "$OPT/$link"
}

current_release() { [ -L "$OPT/current" ] && readlink -f "$OPT/current" || true; }

# Installs the unit of a release, with the /opt, /etc and /var/lib paths moved under $ROOT.
install_unit() {
  release=$1
  mkdir -p "$UNIT_DIR"
  sed -e "s#/opt/textnlp#$OPT#g" -e "s#/etc/textnlp#$ETC#g" -e "s#/var/lib/textnlp#$DATA#g" \
    "$release/systemd/$UNIT" > "$UNIT_DIR/$UNIT.new"
  mv "$UNIT_DIR/$UNIT.new" "$UNIT_DIR/$UNIT"
  if [ "$(service_manager)" = systemd ]; then systemctl daemon-reload; fi
}

# The directly started daemon: the process we launched, else the one the data dir names.
daemon_pid() {
  for file in "$OPT/service.pid" "$DATA/appliance.pid"; do
    pid=$(cat "$file" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; return; fi
  done
}

start_service() {
  if [ "$(service_manager)" = systemd ]; then
    systemctl enable --now "$UNIT" >/dev/null
    return
  fi
  [ -n "$(daemon_pid)" ] && return 0
  release=$(current_release)
  (
    set -a
    [ -f "$ETC/textnlp.env" ] && . "$ETC/textnlp.env"
    set +a
    export TEXTNLP_DATA_DIR="$DATA"
    cd "$DATA"
    if system_install && command -v runuser >/dev/null; then
      setsid runuser -u "$SERVICE_USER" -- "$release/bin/textnlp-appliance" serve \
        >> "$DATA/appliance.log" 2>&1 < /dev/null &
    else
      setsid "$release/bin/textnlp-appliance" serve >> "$DATA/appliance.log" 2>&1 < /dev/null &
    fi
    echo $! > "$OPT/service.pid"
  )
}

stop_service() {
  if [ "$(service_manager)" = systemd ]; then
    systemctl stop "$UNIT" 2>/dev/null || true
    return
  fi
  pid=$(daemon_pid)
  [ -z "$pid" ] && return 0
  kill -TERM "$pid"
  # The daemon drains in-flight requests first (shutdownTimeoutMs, 30 s by default).
  i=0
  while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -gt 900 ] && { kill -KILL "$pid" 2>/dev/null || true; break; }
    sleep 0.1
  done
}

# Waits until /health answers ok (and reports `version`, when given). Fails early when the
# directly started daemon has exited.
health_check() {
  expected=${1:-}
  release=$(current_release)
  port=$( (set -a; [ -f "$ETC/textnlp.env" ] && . "$ETC/textnlp.env"; echo "${TEXTNLP_PORT:-8080}") )
  deadline=$(($(date +%s) + HEALTH_TIMEOUT))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if "$release/node/bin/node" -e '
      const [url, want] = process.argv.slice(1);
      fetch(url, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.json())
        .then((j) => process.exit(j.status === "ok" && (!want || j.version === want) ? 0 : 1))
        .catch(() => process.exit(1));' "http://127.0.0.1:$port/health" "$expected" 2>/dev/null
    then
      return 0
    fi
    if [ "$(service_manager)" = direct ] && [ -z "$(daemon_pid)" ]; then
      say "the appliance exited; last log lines:"; tail -n 5 "$DATA/appliance.log" >&2
      return 1
    fi
    sleep 1
  done
  return 1
}
