#!/usr/bin/env bash
# Runs the installed units under a real systemd, to show that the daemon works inside their sandbox
# (MemoryDenyWriteExecute, the system call filter, the address families, the dynamic user): it boots systemd in
# fresh PID, mount, network, cgroup, UTS and IPC namespaces, on a copy-on-write overlay of this machine's root,
# so that nothing it does reaches the real file system or network. Inside, it installs with deploy/install.sh,
# starts the DBSS emulator and a PostgreSQL server on loopback, and checks that the daemon becomes ready, pets its
# watchdog, captures packets, registers the server through IAM, reloads on systemctl reload, shares its inventory with
# dbscout-scan.service, finds local databases once the documented drop-in grants the capabilities, stops
# cleanly, and is removed by install.sh --uninstall.
#
# Needs root, overlayfs, a writable cgroup2 hierarchy, systemd and PostgreSQL (scripts/install-debian-packages.sh),
# and built binaries (swift build; or DBSCOUT_BINARY and DBSS_EMULATOR_BINARY). Where it cannot create the
# namespaces (an unprivileged container), it says so and exits 77. It takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly name="dbscout-systemd-test-$$"
readonly iam_password="systemd-test-iam-password"

say() { printf 'test-systemd: %s\n' "$*"; }
skip() {
  say "skipped: $*"
  exit 77
}

# --- Inside the namespaces, as their first process: build the root, then become systemd. ------------------------
if [[ "${1:-}" == --boot ]]; then
  work="$2"
  mount --make-rprivate /
  mkdir -p "$work/fs" && mount -t tmpfs tmpfs "$work/fs"
  mkdir -p "$work/fs/upper" "$work/fs/work" "$work/fs/root"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$work/fs/upper,workdir=$work/fs/work" "$work/fs/root"
  new="$work/fs/root"
  mount -t proc proc "$new/proc"
  mount -t sysfs sysfs "$new/sys"
  mount -t cgroup2 cgroup2 "$new/sys/fs/cgroup"
  mount --rbind /dev "$new/dev"
  mount -t tmpfs tmpfs "$new/run"
  mount -t tmpfs tmpfs "$new/tmp"
  mkdir -p "$new/test" && mount --bind "$work/in" "$new/test"
  # The checkout, read-only, wherever it lives (it may be on a file system of its own, outside the overlay).
  mkdir -p "$new$3" && mount --bind "$3" "$new$3" && mount -o remount,bind,ro "$new$3"
  # Nothing of this machine's own is started: no enabled services, and above all no systemd-tmpfiles, whose
  # boot-time cleaning is not for a root shared with a running machine.
  rm -rf "$new"/etc/systemd/system/*.wants
  for unit in systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.timer \
    systemd-logind.service getty.target console-getty.service; do
    ln -sf /dev/null "$new/etc/systemd/system/$unit"
  done
  echo dbscout-systemd-test >"$new/etc/hostname"
  cd "$new"
  mkdir -p old-root
  pivot_root . old-root
  umount -l /old-root
  exec env container=dbscout-test /lib/systemd/systemd --system --unit=multi-user.target
fi

# --- Outside: set up, boot, check, tear down. ----------------------------------------------------------------------
[[ $EUID -eq 0 ]] || skip "needs root"
[[ -x /lib/systemd/systemd ]] || skip "systemd is not installed (apt-get install systemd)"
postgres_bin="$(find /usr/lib/postgresql -maxdepth 3 -name postgres -path '*/bin/*' 2>/dev/null | sort -V | tail -1)"
[[ -n "$postgres_bin" ]] || skip "PostgreSQL is not installed (scripts/install-debian-packages.sh)"
cgroup_root="$(findmnt -rn -t cgroup2 -o TARGET | head -1)"
[[ -n "$cgroup_root" && -w "$cgroup_root" ]] || skip "no writable cgroup2 hierarchy"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip "no overlayfs"

bin_dir="$(swift build --show-bin-path 2>/dev/null || true)"
binary="${DBSCOUT_BINARY:-$bin_dir/dbscout}"
emulator="${DBSS_EMULATOR_BINARY:-$bin_dir/dbss-emulator}"
[[ -x "$binary" && -x "$emulator" ]] || {
  say "FAIL: no dbscout or dbss-emulator binary in $bin_dir; run swift build first" >&2
  exit 1
}

work="$(mktemp -d)"
cgroup="$cgroup_root/$name"
init_pid=""
cleanup() {
  if [[ -n "$init_pid" ]] && kill -0 "$init_pid" 2>/dev/null; then
    kill -s SIGRTMIN+4 "$init_pid" 2>/dev/null || true # systemd's "power off"
    for _ in $(seq 50); do kill -0 "$init_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$init_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  if [[ -d "$cgroup" ]]; then find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
  rm -rf -- "$work"
}
trap cleanup EXIT

mkdir -p "$work/in"
cp "$binary" "$work/in/dbscout"
cp "$emulator" "$work/in/dbss-emulator"
mkdir "$cgroup" 2>/dev/null || skip "cannot create a cgroup under $cgroup_root"
# In its own cgroup (and cgroup namespace), systemd manages that subtree and nothing else of this machine's.
bash -c 'echo $$ >"$1/cgroup.procs" && exec unshare --fork --kill-child --pid --mount --net --uts --ipc --cgroup \
  "$2" --boot "$3" "$4"' _ "$cgroup" "$PWD/deploy/test-systemd.sh" "$work" "$PWD" >"$work/console.log" 2>&1 &
unshare_pid=$!
for _ in $(seq 100); do
  init_pid="$(pgrep -P "$unshare_pid" -x systemd || true)"
  [[ -n "$init_pid" ]] && break
  sleep 0.1
done
[[ -n "$init_pid" ]] || {
  cat "$work/console.log" >&2
  skip "could not start systemd in new namespaces"
}
inside() { nsenter -t "$init_pid" -a "$@"; }
for _ in $(seq 100); do
  state="$(inside systemctl is-system-running 2>/dev/null || true)"
  [[ "$state" == running || "$state" == degraded ]] && break
  sleep 0.2
done
say "systemd is up inside ($state)"

failures=0
fail() {
  say "FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() { say "ok: $*"; }
# Waits up to 30 s for a command inside to succeed.
eventually() {
  local what="$1"
  shift
  for _ in $(seq 60); do
    if inside "$@" >/dev/null 2>&1; then
      pass "$what"
      return
    fi
    sleep 0.5
  done
  fail "$what (gave up after 30 s)"
}
show() { inside systemctl show -p "$2" --value "$1"; }

# The emulator (IAM and DBSS) and a PostgreSQL server to find, on loopback inside the namespace.
inside bash -c "mkdir -p /srv/emulator /srv/pg && echo 'dbscout:$iam_password:account' >/srv/emulator/users &&
  chown postgres /srv/pg && runuser -u postgres -- ${postgres_bin%/postgres}/initdb -D /srv/pg/data -A trust >/dev/null"
inside systemd-run -q --unit=emulator /test/dbss-emulator --port 8080 --project-id project --instance-id instance \
  --iam-user-file /srv/emulator/users
inside systemd-run -q --unit=postgres -p User=postgres "$postgres_bin" -D /srv/pg/data -c listen_addresses=127.0.0.2 \
  -c port=5432 -c unix_socket_directories=/srv/pg

# Install as an operator would, then configure: the example, pointed at the server, with a short interval.
if inside "$PWD/deploy/install.sh" --binary /test/dbscout >"$work/install.log" 2>&1 &&
  grep -q "reloaded systemd" "$work/install.log"; then
  pass "install.sh installs and reloads systemd"
else
  fail "install.sh: $(cat "$work/install.log")"
fi
inside sed -i -e 's/^  targets: \[\]/  targets: [127.0.0.2]/' -e 's/^  # ports: .*/  ports: "5432"/' \
  -e 's/^  interval: 15m .*/  interval: 3s/' -e 's/^  jitter: 1m .*/  jitter: 0s/' \
  -e 's/^  register_unknown_os: false .*/  register_unknown_os: true/' -e 's/^  # interfaces: .*/  interfaces: [lo]/' \
  /etc/dbscout/dbscout.yaml
inside bash -c "cat >>/etc/dbscout/dbscout.env" <<EOF
DBSCOUT_DBSS_ENDPOINT=http://127.0.0.1:8080
DBSCOUT_DBSS_PROJECT_ID=project
DBSCOUT_DBSS_INSTANCE_ID=instance
DBSCOUT_DBSS_AUTH=iam
DBSCOUT_IAM_ENDPOINT=http://127.0.0.1:8080
DBSCOUT_IAM_USER=dbscout
DBSCOUT_IAM_DOMAIN=account
DBSCOUT_IAM_PASSWORD=$iam_password
EOF
# A short watchdog, so that a daemon which does not pet it is killed within the test.
inside bash -c 'mkdir -p /etc/systemd/system/dbscout.service.d &&
  printf "[Service]\nWatchdogSec=4s\n" >/etc/systemd/system/dbscout.service.d/test-watchdog.conf &&
  systemctl daemon-reload'

if inside systemctl enable --now dbscout.service >/dev/null 2>&1 && [[ "$(show dbscout StatusText)" == watching ]]; then
  pass "dbscout.service starts and says READY ($(show dbscout ActiveState), status '$(show dbscout StatusText)')"
else
  fail "dbscout.service did not start: $(inside journalctl -u dbscout --no-pager | tail -20)"
fi
eventually "the health endpoint answers on 127.0.0.1:9187" curl -sf http://127.0.0.1:9187/healthz
eventually "the PostgreSQL server is registered with DBSS (through IAM)" \
  bash -c 'curl -sf http://127.0.0.1:8080/_emulator/databases | grep -q "\"ip\":\"127.0.0.2\""'
eventually "passive capture runs on lo (AF_PACKET, CAP_NET_RAW)" \
  bash -c 'curl -sf http://127.0.0.1:9187/metrics | grep -q "^dbscout_passive_capture_up{interface=\"lo\"} 1"'
main_pid="$(show dbscout MainPID)"
if inside grep -q '^Seccomp:[[:space:]]*2' "/proc/$main_pid/status"; then pass "the daemon runs under seccomp"; else
  fail "the daemon has no seccomp filter"
fi
if [[ "$(inside stat -c '%U %a' /var/lib/private/dbscout/inventory.sqlite)" == "dbscout 600" ]]; then
  pass "the inventory belongs to the dynamic user, mode 600"
else
  fail "the inventory is $(inside stat -c '%U %a' /var/lib/private/dbscout/inventory.sqlite 2>&1)"
fi

sleep 10 # more than twice WatchdogSec
if [[ "$(show dbscout MainPID)" == "$main_pid" && "$(show dbscout NRestarts)" == 0 ]]; then
  pass "the watchdog (4 s) is petted: still the same process after 10 s"
else
  fail "the daemon was restarted: $(inside journalctl -u dbscout --no-pager | grep -i watchdog | tail -3)"
fi

inside systemctl reload dbscout
eventually "systemctl reload rereads the config" \
  bash -c 'journalctl -u dbscout --no-pager | grep -q "configuration reloaded"'
if [[ "$(show dbscout MainPID)" == "$main_pid" ]]; then pass "in the same process"; else
  fail "reload restarted the daemon"
fi

if inside systemctl start dbscout-scan.service &&
  [[ "$(show dbscout-scan.service Result)" == success ]] &&
  inside journalctl -u dbscout-scan.service --no-pager | grep -q "127.0.0.2:5432.*registered"; then
  pass "dbscout-scan.service runs beside the daemon and sees the daemon's registration in the shared inventory"
else
  fail "dbscout-scan.service: $(inside journalctl -u dbscout-scan.service --no-pager | tail -10)"
fi
if [[ "$(show dbscout MainPID)" == "$main_pid" ]]; then pass "and the daemon keeps running"; else
  fail "the daemon stopped while the scan ran"
fi

# Local discovery, with the opt-in drop-in documented in dbscout.service.
inside sed -i 's/^  local_discovery: false/  local_discovery: true/' /etc/dbscout/dbscout.yaml
inside bash -c 'printf "[Service]\nAmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH\n%s\n" \
  "CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" >/etc/systemd/system/dbscout.service.d/local.conf &&
  systemctl daemon-reload && systemctl restart dbscout'
eventually "with the local-discovery drop-in, the daemon maps the PostgreSQL process" \
  bash -c 'curl -sf http://127.0.0.1:9187/metrics | grep -q "^dbscout_local_databases [1-9]"'

inside systemctl stop dbscout
if [[ "$(show dbscout Result)" == success && "$(show dbscout ExecMainStatus)" == 0 ]]; then
  pass "systemctl stop drains and exits 0"
else
  fail "stop: result $(show dbscout Result), status $(show dbscout ExecMainStatus)"
fi
if inside journalctl --no-pager -u dbscout -u dbscout-scan | grep -v "thread priority" |
  grep -iE "seccomp|not permitted|denied|killed" >"$work/denied"; then
  fail "the journal shows the sandbox refusing something: $(cat "$work/denied")"
else
  pass "the journal shows nothing refused by the sandbox"
fi

inside systemctl start dbscout.service
if inside "$PWD/deploy/install.sh" --uninstall >"$work/install.log" 2>&1 &&
  [[ "$(show dbscout ActiveState)" == inactive && "$(show dbscout LoadState)" == not-found ]] &&
  inside test -f /etc/dbscout/dbscout.yaml -a ! -e /usr/local/bin/dbscout; then
  pass "install.sh --uninstall stops the daemon, removes the units and the binary, keeps the config"
else
  fail "--uninstall: $(cat "$work/install.log"); dbscout is $(show dbscout ActiveState)/$(show dbscout LoadState)"
fi

if [[ $failures -gt 0 ]]; then
  say "$failures check(s) FAILED"
  exit 1
fi
say "all checks passed"
