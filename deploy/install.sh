#!/usr/bin/env bash
# Installs dbscout: the binary, the systemd units and an example configuration. Run as root from a checkout, or
# with --destdir to stage the files for a package. See --help.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly repo
readonly deploy="$repo/deploy"
readonly units=(dbscout.service dbscout-scan.service dbscout-scan.timer)
# The paths the unit files are written with; rewritten to the chosen prefix and config directory on install.
readonly unit_binary=/usr/local/bin/dbscout
readonly unit_confdir=/etc/dbscout

prefix="${PREFIX:-/usr/local}"
systemd_dir="${SYSTEMD_DIR:-/etc/systemd/system}"
confdir="${CONFDIR:-/etc/dbscout}"
destdir="${DESTDIR:-}"
binary=""
build=yes
action=install
# Scratch space for the rendered units; removed on exit.
rendered=""
trap '[[ -z "$rendered" ]] || rm -rf -- "$rendered"' EXIT

usage() {
  cat <<EOF
Usage: deploy/install.sh [OPTIONS]

Builds dbscout (swift build -c release) and installs:
  PREFIX/bin/dbscout                      the binary, mode 0755
  SYSTEMD_DIR/dbscout.service             the daemon (Type=notify, sandboxed, dynamic user)
  SYSTEMD_DIR/dbscout-scan.service        a one-shot scan, and
  SYSTEMD_DIR/dbscout-scan.timer          the timer that runs it hourly
  CONFDIR/dbscout.yaml                    the example configuration, mode 0644
  CONFDIR/dbscout.env                     the secrets file for the units (all commented out), mode 0600
An existing dbscout.yaml or dbscout.env is never overwritten: the new example goes beside it as
dbscout.yaml.example or dbscout.env.example. Nothing else is created, and no unit is enabled or started.
Running it again changes nothing unless a source changed.

Options:
  --prefix DIR       installation prefix (default: \$PREFIX or /usr/local)
  --systemd-dir DIR  where the units go (default: \$SYSTEMD_DIR or /etc/systemd/system)
  --confdir DIR      where the configuration goes (default: \$CONFDIR or /etc/dbscout)
  --destdir DIR      staging root put in front of every path, for packages and tests (default: \$DESTDIR);
                     the installed files still name the paths without it, and systemd is not reloaded
  --binary PATH      install this dbscout binary instead of building one (implies --no-build)
  --no-build         install the existing release build instead of building
  --uninstall        stop and disable the units, remove the binary and the units; keep the configuration
                     and the inventory
  -h, --help         show this help

systemctl daemon-reload runs only when systemd is running and there is no --destdir.
EOF
}

say() { printf 'install.sh: %s\n' "$*"; }
die() {
  printf 'install.sh: error: %s\n' "$*" >&2
  exit 1
}
usage_error() {
  printf 'install.sh: error: %s (see --help)\n' "$*" >&2
  exit 2
}

# The value of an option that takes one, or a usage error when it is missing.
need_value() {
  [[ $# -ge 2 && -n "$2" ]] || usage_error "$1 needs a value"
}

parse_arguments() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --prefix) need_value "$@"; prefix="$2"; shift 2 ;;
      --systemd-dir) need_value "$@"; systemd_dir="$2"; shift 2 ;;
      --confdir) need_value "$@"; confdir="$2"; shift 2 ;;
      --destdir) need_value "$@"; destdir="$2"; shift 2 ;;
      --binary) need_value "$@"; binary="$2"; build=no; shift 2 ;;
      --no-build) build=no; shift ;;
      --uninstall) action=uninstall; shift ;;
      -h | --help) usage; exit 0 ;;
      *) usage_error "unknown argument '$1'" ;;
    esac
  done
}

# The installed paths end up in unit files (where % and \ are special and whitespace splits ExecStart) and in the
# sed expressions that write them, so only plain absolute paths are accepted.
check_paths() {
  local name path
  for name in prefix systemd_dir confdir; do
    path="${!name}"
    [[ "$path" == /* ]] || usage_error "--${name//_/-} must be an absolute path, not '$path'"
    [[ "$path" =~ ^[A-Za-z0-9/._+-]+$ ]] ||
      usage_error "--${name//_/-} '$path' may hold only letters, digits and /._+-"
    printf -v "$name" '%s' "${path%/}"
  done
  if [[ -n "$destdir" ]]; then
    destdir="$(realpath -m -- "$destdir")"
  elif [[ $EUID -ne 0 ]]; then
    die "installing into the system needs root; use --destdir DIR to stage the files instead"
  fi
}

systemd_running() { [[ -z "$destdir" && -d /run/systemd/system ]]; }

# The binary to install: the one given, the existing release build, or a fresh one.
resolve_binary() {
  if [[ -n "$binary" ]]; then
    [[ -f "$binary" && -x "$binary" ]] || die "--binary $binary is not an executable file"
    return
  fi
  command -v swift >/dev/null || die "swift is not on PATH; install the Swift toolchain or pass --binary PATH"
  if [[ "$build" == yes ]]; then
    say "building the release binary (swift build -c release --product dbscout)"
    # The Swift runtime is linked in, so the installed binary does not depend on where the toolchain lives.
    (cd "$repo" && swift build -c release --product dbscout --static-swift-stdlib) || die "the build failed"
  fi
  binary="$(cd "$repo" && swift build -c release --show-bin-path)/dbscout"
  [[ -x "$binary" ]] || die "no release build at $binary; build one or pass --binary PATH"
}

# Copies SOURCE to TARGET with MODE unless TARGET already has that content and mode, so that a second run
# rewrites nothing. GNU install replaces the file rather than writing into it, so a running binary is safe.
install_file() {
  local source="$1" target="$2" mode="$3"
  if [[ -f "$target" ]] && cmp -s "$source" "$target" && [[ "$(stat -c %a "$target")" == "${mode#0}" ]]; then
    say "unchanged $target"
    return
  fi
  install -d -m 0755 "$(dirname "$target")"
  install -m "$mode" "$source" "$target"
  say "installed $target"
}

# Installs an example config file as NAME, or beside an existing NAME (which stays untouched) as NAME.example.
install_config() {
  local source="$1" name="$2" mode="$3"
  local target="$destdir$confdir/$name"
  if [[ ! -e "$target" ]] || cmp -s "$source" "$target"; then
    install_file "$source" "$target" "$mode"
  else
    say "kept your $target"
    install_file "$source" "$target.example" 0644
  fi
}

do_install() {
  resolve_binary
  install_file "$binary" "$destdir$prefix/bin/dbscout" 0755
  local unit
  rendered="$(mktemp -d)"
  for unit in "${units[@]}"; do
    sed -e "s|$unit_binary|$prefix/bin/dbscout|g" -e "s|$unit_confdir/|$confdir/|g" \
      "$deploy/systemd/$unit" >"$rendered/$unit"
    install_file "$rendered/$unit" "$destdir$systemd_dir/$unit" 0644
  done
  # The directory and dbscout.yaml stay readable by all: the units run as a dynamic user, which must read the
  # config. Secrets live in dbscout.env, which only root (systemd) reads.
  install -d -m 0755 "$destdir$confdir"
  install_config "$deploy/dbscout.yaml" dbscout.yaml 0644
  install_config "$deploy/dbscout.env.example" dbscout.env 0600
  local env_file="$destdir$confdir/dbscout.env"
  if [[ "$(stat -c %a "$env_file")" != 600 ]]; then
    say "warning: $env_file is mode $(stat -c %a "$env_file"); it holds secrets, so chmod 600 it"
  fi
  if systemd_running; then
    systemctl daemon-reload
    say "reloaded systemd"
  fi
  say "done. Next: edit $confdir/dbscout.yaml (scan.targets, dbss) and $confdir/dbscout.env (credentials), then"
  say "  systemctl enable --now dbscout.service      # the daemon, or"
  say "  systemctl enable --now dbscout-scan.timer   # an hourly one-shot scan"
}

remove_file() {
  if [[ -e "$1" || -L "$1" ]]; then
    rm -f -- "$1"
    say "removed $1"
  fi
}

do_uninstall() {
  if systemd_running; then
    # Units that were never enabled or are not loaded make systemctl complain; that is not an error here.
    systemctl disable --now dbscout.service dbscout-scan.timer 2>/dev/null || true
    systemctl stop dbscout-scan.service 2>/dev/null || true
  fi
  remove_file "$destdir$prefix/bin/dbscout"
  local unit
  for unit in "${units[@]}"; do
    remove_file "$destdir$systemd_dir/$unit"
    if [[ -d "$destdir$systemd_dir/$unit.d" ]]; then say "kept your drop-ins in $destdir$systemd_dir/$unit.d"; fi
  done
  remove_file "$destdir$confdir/dbscout.yaml.example"
  remove_file "$destdir$confdir/dbscout.env.example"
  if systemd_running; then
    systemctl daemon-reload
    say "reloaded systemd"
  fi
  if [[ -d "$destdir$confdir" ]]; then
    say "kept the configuration in $destdir$confdir; remove it yourself if you no longer need it"
  fi
  if [[ -z "$destdir" && -e /var/lib/private/dbscout ]]; then
    say "kept the inventory in /var/lib/private/dbscout (seen as /var/lib/dbscout by the units)"
  fi
}

parse_arguments "$@"
check_paths
"do_$action"
