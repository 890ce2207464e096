#!/usr/bin/env bash
# Checks deploy/: the systemd units (systemd-analyze verify and security), install.sh (into a staging root: files,
# modes, idempotence, configs kept, uninstall), the units under a real systemd (deploy/test-systemd.sh, where
# this machine allows it) and shellcheck on the scripts. Needs a built dbscout
# (swift build, or DBSCOUT_BINARY=PATH); installs Debian's systemd package when systemd-analyze is missing and
# this runs as root. Exits non-zero, naming the failed checks, when anything is wrong.
set -euo pipefail
cd "$(dirname "$0")/.."

# The highest exposure `systemd-analyze security` may give a dbscout unit, in tenths (its --threshold unit): 2.5.
# The units score 1.8 with systemd 252; the margin is for other systemd versions weighing settings differently.
readonly max_exposure=25
# [Service] settings that are allowed to differ between the daemon and the one-shot scan (which needs only
# CAP_NET_RAW); everything else (the user, the state directory, the secrets, the sandbox) must be the same in both.
own_settings='^(Type|NotifyAccess|WatchdogSec|ExecStart|ExecReload|Restart|RestartSec|RestartPreventExitStatus|'
readonly own_settings+='TimeoutStopSec|TimeoutStartSec|AmbientCapabilities|CapabilityBoundingSet)='

failures=0
fail() {
  printf 'test-deploy: FAIL: %s\n' "$*" >&2
  failures=$((failures + 1))
}
pass() { printf 'test-deploy: ok: %s\n' "$*"; }
step() { printf '\ntest-deploy: == %s\n' "$*"; }

work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
root="$work/root"

binary="${DBSCOUT_BINARY:-$(swift build --show-bin-path)/dbscout}"
if [[ ! -x "$binary" ]]; then
  printf 'test-deploy: FAIL: no dbscout binary at %s; run swift build first (or set DBSCOUT_BINARY)\n' "$binary" >&2
  exit 1
fi

install_sh() { deploy/install.sh "$@" >"$work/install.log" 2>&1; }

# path mode size mtime checksum, one line per file or directory under $1, for comparing whole trees.
snapshot() {
  (cd "$1" && find . -printf '%p %m %s %T@ ' -exec sh -c '[ -f "$1" ] && sha256sum <"$1" || echo' _ {} \; | sort)
}

# Fails unless the regular files under $root are exactly the given relative paths.
expect_files() {
  local expected actual
  expected="$(printf '%s\n' "$@" | sort)"
  actual="$(cd "$root" && find . -type f -printf '%P\n' | sort)"
  if [[ "$expected" == "$actual" ]]; then
    pass "the files are exactly: $(echo "$actual" | tr '\n' ' ')"
  else
    fail "expected the files [$(echo "$expected" | tr '\n' ' ')], found [$(echo "$actual" | tr '\n' ' ')]"
  fi
}

expect_mode() {
  local path="$root/$1" mode="$2"
  if [[ "$(stat -c %a "$path" 2>/dev/null)" == "$mode" ]]; then pass "$1 is mode $mode"; else
    fail "$1 should be mode $mode, is $(stat -c %a "$path" 2>&1)"
  fi
}

expect_same() {
  if cmp -s "$1" "$2"; then pass "$3"; else fail "$3: $2 differs from $1"; fi
}

ensure_systemd_analyze() {
  command -v systemd-analyze >/dev/null && return
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "test-deploy: installing Debian's systemd package for systemd-analyze"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
  fi
  command -v systemd-analyze >/dev/null || {
    echo "test-deploy: FAIL: systemd-analyze is missing (apt-get install systemd)" >&2
    exit 1
  }
}

check_install() {
  step "install.sh into a staging root"
  if install_sh --destdir "$root" --binary "$binary"; then pass "install.sh exits 0"; else
    fail "install.sh failed: $(cat "$work/install.log")"
    return
  fi
  expect_files usr/local/bin/dbscout etc/systemd/system/dbscout.service etc/systemd/system/dbscout-scan.service \
    etc/systemd/system/dbscout-scan.timer etc/dbscout/dbscout.yaml etc/dbscout/dbscout.env
  expect_mode usr/local/bin/dbscout 755
  local unit
  for unit in dbscout.service dbscout-scan.service dbscout-scan.timer; do
    expect_mode "etc/systemd/system/$unit" 644
    # With the default prefix and config directory, the units are installed as written.
    expect_same "deploy/systemd/$unit" "$root/etc/systemd/system/$unit" "$unit installed unchanged"
  done
  expect_mode etc/dbscout 755
  expect_mode etc/dbscout/dbscout.yaml 644
  expect_mode etc/dbscout/dbscout.env 600
  expect_same "$binary" "$root/usr/local/bin/dbscout" "the binary is the one given"
  expect_same deploy/dbscout.yaml "$root/etc/dbscout/dbscout.yaml" "dbscout.yaml is the example"
  expect_same deploy/dbscout.env.example "$root/etc/dbscout/dbscout.env" "dbscout.env is the example"

  step "install.sh again: nothing changes"
  snapshot "$root" >"$work/before"
  install_sh --destdir "$root" --binary "$binary" || fail "the second install.sh failed: $(cat "$work/install.log")"
  snapshot "$root" >"$work/after"
  if diff "$work/before" "$work/after" >"$work/diff"; then pass "a second run leaves the tree as it was"; else
    fail "a second run changed the tree: $(cat "$work/diff")"
  fi
}

check_configs_kept() {
  step "install.sh over a changed configuration keeps it"
  printf '\n# changed by the operator\n' >>"$root/etc/dbscout/dbscout.yaml"
  echo 'DBSCOUT_DBSS_TOKEN=operator-secret' >>"$root/etc/dbscout/dbscout.env"
  cp -p "$root/etc/dbscout/dbscout.yaml" "$work/yaml"
  cp -p "$root/etc/dbscout/dbscout.env" "$work/env"
  install_sh --destdir "$root" --binary "$binary" || fail "install.sh over a changed config failed"
  expect_same "$work/yaml" "$root/etc/dbscout/dbscout.yaml" "the changed dbscout.yaml is kept"
  expect_same "$work/env" "$root/etc/dbscout/dbscout.env" "the changed dbscout.env is kept"
  expect_mode etc/dbscout/dbscout.env 600
  expect_same deploy/dbscout.yaml "$root/etc/dbscout/dbscout.yaml.example" "the new example is beside it"
  expect_same deploy/dbscout.env.example "$root/etc/dbscout/dbscout.env.example" "the env example is beside it"
  snapshot "$root" >"$work/before"
  install_sh --destdir "$root" --binary "$binary" || fail "install.sh failed"
  snapshot "$root" >"$work/after"
  if diff "$work/before" "$work/after" >"$work/diff"; then pass "and a further run changes nothing"; else
    fail "a further run changed the tree: $(cat "$work/diff")"
  fi
}

check_uninstall() {
  step "install.sh --uninstall"
  install_sh --destdir "$root" --uninstall || fail "--uninstall failed: $(cat "$work/install.log")"
  expect_files etc/dbscout/dbscout.yaml etc/dbscout/dbscout.env
  expect_same "$work/yaml" "$root/etc/dbscout/dbscout.yaml" "the configuration is left as it was"
  grep -q "kept the configuration" "$work/install.log" || fail "--uninstall does not say that it kept the config"
  install_sh --destdir "$root" --uninstall || fail "a second --uninstall failed: $(cat "$work/install.log")"
  expect_files etc/dbscout/dbscout.yaml etc/dbscout/dbscout.env
}

check_other_prefix() {
  step "install.sh with another prefix and config directory"
  local other="$work/other" unit
  install_sh --destdir "$other" --prefix /opt/dbscout --confdir /etc/opt/dbscout --systemd-dir /lib/systemd/system \
    --binary "$binary" || fail "install.sh --prefix failed: $(cat "$work/install.log")"
  if [[ -x "$other/opt/dbscout/bin/dbscout" ]]; then pass "the binary is in the prefix"; else
    fail "no $other/opt/dbscout/bin/dbscout"
  fi
  for unit in dbscout.service dbscout-scan.service; do
    local file="$other/lib/systemd/system/$unit"
    if grep -q '^ExecStart=/opt/dbscout/bin/dbscout [a-z]* --config /etc/opt/dbscout/dbscout.yaml$' "$file" &&
      grep -qx 'EnvironmentFile=-/etc/opt/dbscout/dbscout.env' "$file" &&
      ! grep -q -e /usr/local/bin/dbscout -e /etc/dbscout/ "$file"; then
      pass "$unit names the prefix and the config directory"
    else
      fail "$unit does not name /opt/dbscout and /etc/opt/dbscout throughout: $(grep -e ^Exec -e ^Env "$file")"
    fi
  done
}

check_usage() {
  step "install.sh usage errors"
  local arguments expected status
  while IFS='|' read -r expected arguments; do
    # shellcheck disable=SC2086 # the arguments are split on purpose
    status=0 && deploy/install.sh --destdir "$work/usage" $arguments >"$work/usage.log" 2>&1 || status=$?
    if [[ $status == "$expected" ]]; then pass "install.sh $arguments exits $expected"; else
      fail "install.sh $arguments exited $status, not $expected: $(cat "$work/usage.log")"
    fi
  done <<EOF
0|--help
2|--bogus
2|--prefix relative/path
2|--prefix /opt/with%percent
2|--binary
1|--binary /nonexistent/dbscout
EOF
  if [[ ! -e "$work/usage" ]]; then pass "and none of them installed anything"; else
    fail "an install.sh that stopped left files in $work/usage"
  fi
}

check_units() {
  step "systemd-analyze verify and security on the installed units"
  local verify="$work/verify" unit output
  install_sh --destdir "$root" --binary "$binary" || fail "install.sh failed: $(cat "$work/install.log")"
  # verify checks that ExecStart's program exists, so the copies it reads point at the staged binary.
  mkdir -p "$verify"
  for unit in dbscout.service dbscout-scan.service dbscout-scan.timer; do
    sed "s|/usr/local/bin/dbscout|$root/usr/local/bin/dbscout|g" "$root/etc/systemd/system/$unit" >"$verify/$unit"
  done
  # It exits 0 on warnings (unknown keys, bad values), and it also reports on other units installed on this
  # machine; any line naming one of ours is a failure.
  if output="$(systemd-analyze verify "$verify"/dbscout.service "$verify"/dbscout-scan.service \
    "$verify"/dbscout-scan.timer 2>&1)" && ! grep -q dbscout <<<"$output"; then
    pass "systemd-analyze verify is silent about the three units"
  else
    fail "systemd-analyze verify: $output"
  fi
  for unit in dbscout.service dbscout-scan.service; do
    if output="$(systemd-analyze security --offline=yes --threshold="$max_exposure" "$verify/$unit" 2>&1)"; then
      pass "$unit: $(grep -o 'Overall exposure level.*' <<<"$output")"
    else
      fail "$unit is more exposed than $max_exposure/10: $(grep -e '✗' -e Overall <<<"$output")"
    fi
  done
  step "the one-shot scan runs in the daemon's sandbox"
  if diff <(service_settings deploy/systemd/dbscout.service) \
    <(service_settings deploy/systemd/dbscout-scan.service) >"$work/diff"; then
    pass "dbscout-scan.service has the daemon's user, state directory, secrets and sandbox"
  else
    fail "dbscout-scan.service and dbscout.service differ: $(cat "$work/diff")"
  fi
  if grep -qx 'CapabilityBoundingSet=CAP_NET_RAW' deploy/systemd/dbscout-scan.service &&
    grep -qx 'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN' deploy/systemd/dbscout.service; then
    pass "the scan may capture (CAP_NET_RAW), the daemon also set interfaces up (CAP_NET_ADMIN), nothing more"
  else
    fail "the bounding sets should be CAP_NET_RAW (scan) and CAP_NET_RAW CAP_NET_ADMIN (daemon)"
  fi
}

# The [Service] settings of a unit, without the ones each unit has for itself.
service_settings() {
  sed -n '/^\[Service\]/,/^\[/p' "$1" | grep -E '^[A-Za-z]+=' | grep -vE "$own_settings" | sort
}

check_under_systemd() {
  step "the units under a real systemd (deploy/test-systemd.sh)"
  local status=0
  deploy/test-systemd.sh || status=$?
  case $status in
    0) pass "the daemon and the scan work in their sandbox" ;;
    77) echo "test-deploy: skipped: this machine cannot run systemd in namespaces (see above)" ;;
    *) fail "deploy/test-systemd.sh failed (above)" ;;
  esac
}

check_shellcheck() {
  step "shellcheck"
  if ! command -v shellcheck >/dev/null; then
    echo "test-deploy: skipped: shellcheck is not installed (apt-get install shellcheck)"
    return
  fi
  if shellcheck deploy/install.sh deploy/test-deploy.sh deploy/test-systemd.sh; then pass "shellcheck is clean"; else
    fail "shellcheck found problems (above)"
  fi
}

ensure_systemd_analyze
check_install
check_configs_kept
check_uninstall
check_other_prefix
check_usage
check_units
check_under_systemd
check_shellcheck

echo
if [[ $failures -gt 0 ]]; then
  echo "test-deploy: $failures check(s) FAILED" >&2
  exit 1
fi
echo "test-deploy: all checks passed"
