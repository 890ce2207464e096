#!/usr/bin/env bash
# Lossy network lab: real PostgreSQL and MariaDB servers behind a link that
# delays every frame 50 ms each way and loses 2 % of them, scanned as a /24
# from the other side. Fails unless every server is found (recall 100 %),
# and prints the scan's wall time next to the RTT-bound ideal.
#
#   scripts/lossy-lab.sh          build the lab, scan it, check, tear it all down
#
# Must run as root. Everything lives in network namespaces this script
# creates and removes: the lab (dbscout-lab, addresses 10.232.0.2 to
# 10.232.0.$LAB_LAST_HOST on one veth end) and the host side of that veth
# (dbscout-lh0, 10.232.0.1/24 in the root namespace). Scan traffic goes to
# 10.232.0.0/24 only, and that prefix exists only on this veth.
#
# The link is impaired by `tc netem` on both ends of the veth when the kernel
# has it. Where it does not (CONFIG_NET_SCH_NETEM unset, as on the project's
# CI machines), a small relay does the same in user space: the veth is cut in
# two by a third namespace (dbscout-labw), where a Python process forwards
# each Ethernet frame from one half to the other after the delay, and drops
# the lost ones. LAB_EMULATOR=netem|relay forces one.
#
# Settings (environment): DBSCOUT_BIN (default: the debug build, built if
# missing), LAB_DELAY_MS (50, each way), LAB_LOSS_PCT (2, each way),
# LAB_LAST_HOST (127: .2-.127 exist and refuse closed ports, .128-.254 are
# silent), LAB_CONCURRENCY (256), LAB_RATE (1000 connects/s),
# LAB_CONNECT_TIMEOUT_MS (1500, see below), LAB_READ_TIMEOUT_MS (3000).
set -euo pipefail

export PATH="$PATH:/usr/sbin:/sbin"
cd "$(dirname "$0")/.."

LAB_NS=dbscout-lab
WIRE_NS=dbscout-labw
HOST_IF=dbscout-lh0 LAB_IF=dbscout-ll0           # the veth's two ends
WIRE_HOST_IF=dbscout-lw0 WIRE_LAB_IF=dbscout-lw1 # relay only: the cut ends, in the wire namespace
PREFIX=10.232.0
HOST_ADDR=$PREFIX.1

DELAY_MS=${LAB_DELAY_MS:-50}
LOSS_PCT=${LAB_LOSS_PCT:-2}
LAST_HOST=${LAB_LAST_HOST:-127}
CONCURRENCY=${LAB_CONCURRENCY:-256}
RATE=${LAB_RATE:-1000}
# dbscout's own default connect deadline (1.5 s). A lost SYN is sent again
# after 1 s, so one attempt survives one loss; a silent port on a host that
# answered on another port (here, every server's other port refuses) is tried
# a second time, so a server is missed only when both attempts lose their
# handshake twice: at 2 % loss each way, about one scan in 60,000.
CONNECT_TIMEOUT_MS=${LAB_CONNECT_TIMEOUT_MS:-1500}
READ_TIMEOUT_MS=${LAB_READ_TIMEOUT_MS:-3000}
EMULATOR=${LAB_EMULATOR:-auto}
PORTS=5432,3306
PG_HOSTS=(10 11 12)
MARIA_HOSTS=(20 21 22)

READY_TIMEOUT=60 # seconds for a server to start
STOP_TIMEOUT=10  # seconds before SIGKILL
SCAN_TIMEOUT=600 # seconds for the scan

log() { printf '[lossy-lab] %s\n' "$*" >&2; }
die() {
  printf '[lossy-lab] ERROR: %s\n' "$*" >&2
  exit 1
}

# ------------------------------------------------------------ preconditions

check_requirements() {
  ((EUID == 0)) || die "must be run as root (namespaces, servers as postgres/mysql)"
  local cmd missing=()
  for cmd in ip tc runuser setsid timeout flock sysctl python3 mariadbd mariadb-install-db mariadb-admin; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
  done
  PG_BIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -x ${PG_BIN:-/nonexistent}/initdb ]] || missing+=("postgresql (initdb)")
  id -u postgres >/dev/null 2>&1 || missing+=("user postgres")
  id -u mysql >/dev/null 2>&1 || missing+=("user mysql")
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]} (see scripts/install-debian-packages.sh)"
  ((LAST_HOST >= 22 && LAST_HOST <= 254)) || die "LAB_LAST_HOST must be 22..254 (the servers use .10-.22)"
}

# The lab's prefix must exist nowhere else: no address in it, no route into
# it but the default route.
check_prefix_unused() {
  if ip -4 -o addr show | grep -q " inet $PREFIX\."; then
    die "an interface already has an address in $PREFIX.0/24"
  fi
  if ip -4 route show | grep -q "^$PREFIX\."; then
    die "a route into $PREFIX.0/24 already exists"
  fi
}

find_dbscout() {
  DBSCOUT=${DBSCOUT_BIN:-}
  if [[ -z $DBSCOUT ]]; then
    DBSCOUT="$(swift build --show-bin-path)/dbscout"
    if [[ ! -x $DBSCOUT ]]; then
      log "building dbscout"
      swift build --product dbscout >&2
    fi
  fi
  [[ -x $DBSCOUT ]] || die "no dbscout binary at $DBSCOUT"
}

# ------------------------------------------------------------ teardown

# Undoes whatever exists of the lab; safe to run twice.
teardown() {
  local name pid deadline
  for name in "${PG_HOSTS[@]/#/pg-}"; do
    [[ -f ${WORK:-/nonexistent}/$name/data/postmaster.pid ]] || continue
    timeout $((STOP_TIMEOUT + 5)) runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/$name/data" \
      -m immediate -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1 ||
      stop_pid "$(head -n 1 "$WORK/$name/data/postmaster.pid")"
  done
  for name in "${MARIA_HOSTS[@]/#/maria-}"; do
    if [[ -f ${WORK:-/nonexistent}/$name/server.pid ]]; then stop_pid "$(<"$WORK/$name/server.pid")"; fi
  done
  if [[ -n ${RELAY_PID:-} ]]; then
    stop_pid "$RELAY_PID"
    RELAY_PID=
    if [[ -s $WORK/relay.log ]]; then sed 's/^/[lossy-lab] /' "$WORK/relay.log" >&2; fi
  fi
  for name in "$LAB_NS" "$WIRE_NS"; do
    [[ -e /run/netns/$name ]] || continue
    # Whatever still runs inside was started by this script (in this run, or
    # in one killed before its teardown), e.g. a server without a pid file yet.
    for pid in $(ip netns pids "$name"); do stop_pid "$pid"; done
    # Deleting a namespace deletes its veth ends, and with them their peers.
    ip netns del "$name" || log "could not delete namespace $name"
  done
  # The host's end goes with its peer, but not at once.
  deadline=$((SECONDS + STOP_TIMEOUT))
  while ip link show "$HOST_IF" >/dev/null 2>&1 && ((SECONDS < deadline)); do sleep 0.2; done
  ip link del "$HOST_IF" 2>/dev/null || true
  if [[ -n ${WORK:-} && -d $WORK ]]; then rm -rf -- "$WORK"; fi
  return 0
}

# stop_pid PID: SIGTERM, a bounded wait, then SIGKILL.
stop_pid() {
  local pid=$1 deadline=$((SECONDS + STOP_TIMEOUT))
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && [[ $(ps -o stat= -p "$pid" 2>/dev/null) != Z* ]]; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
}

# ------------------------------------------------------------ network

netem_available() {
  ip netns exec "$LAB_NS" tc qdisc add dev lo root netem delay 1ms 2>/dev/null || return 1
  ip netns exec "$LAB_NS" tc qdisc del dev lo root
}

build_network() {
  ip netns add "$LAB_NS"
  ip -n "$LAB_NS" link set lo up
  if [[ $EMULATOR == auto ]]; then
    if netem_available; then EMULATOR=netem; else EMULATOR=relay; fi
  fi
  case $EMULATOR in
    netem) ip link add name "$HOST_IF" type veth peer name "$LAB_IF" netns "$LAB_NS" ;;
    relay) build_wire ;;
    *) die "LAB_EMULATOR must be auto, netem or relay (got '$EMULATOR')" ;;
  esac
  # IPv4 only: no router solicitations or neighbour discovery on the link.
  sysctl -qw "net.ipv6.conf.$HOST_IF.disable_ipv6=1" 2>/dev/null || true
  ip netns exec "$LAB_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
  ip addr add "$HOST_ADDR/24" dev "$HOST_IF"
  ip link set dev "$HOST_IF" up
  local host
  for ((host = 2; host <= LAST_HOST; host++)); do
    ip -n "$LAB_NS" addr add "$PREFIX.$host/24" dev "$LAB_IF"
  done
  ip -n "$LAB_NS" link set dev "$LAB_IF" up
  impair
}

# The veth cut in two, with both cut ends in the wire namespace.
build_wire() {
  local end
  ip netns add "$WIRE_NS"
  ip netns exec "$WIRE_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
  ip link add name "$HOST_IF" type veth peer name "$WIRE_HOST_IF" netns "$WIRE_NS"
  ip -n "$WIRE_NS" link add name "$WIRE_LAB_IF" type veth peer name "$LAB_IF" netns "$LAB_NS"
  for end in "$WIRE_HOST_IF" "$WIRE_LAB_IF"; do
    ip -n "$WIRE_NS" link set dev "$end" promisc on up
  done
  # The relay forwards frames one by one: the stacks at either end must not
  # hand their veth multi-segment (TSO/GSO) frames larger than the MTU.
  ip link set dev "$HOST_IF" gso_max_segs 1
  ip -n "$LAB_NS" link set dev "$LAB_IF" gso_max_segs 1
}

impair() {
  if [[ $EMULATOR == netem ]]; then
    local impairment=(netem delay "${DELAY_MS}ms" loss "${LOSS_PCT}%")
    tc qdisc add dev "$HOST_IF" root "${impairment[@]}"
    ip netns exec "$LAB_NS" tc qdisc add dev "$LAB_IF" root "${impairment[@]}"
    return
  fi
  ip netns exec "$WIRE_NS" python3 -c "$RELAY" "$WIRE_HOST_IF" "$WIRE_LAB_IF" "$DELAY_MS" "$LOSS_PCT" \
    </dev/null 2>"$WORK/relay.log" 9<&- &
  RELAY_PID=$!
}

# The relay: forwards each Ethernet frame between two interfaces after
# DELAY ms, and drops LOSS % of them at random, as netem on both ends would.
RELAY=$(
  cat <<'PY'
import heapq, random, select, signal, socket, struct, sys, time

ETH_P_ALL, PACKET_OUTGOING = 3, 4
delay, loss = float(sys.argv[3]) / 1000, float(sys.argv[4]) / 100
counts = {"forwarded": 0, "lost": 0, "failed": 0}


def report(*_):
    seen = max(counts["forwarded"] + counts["lost"], 1)
    print("relay: %(forwarded)d frames forwarded, %(lost)d lost, %(failed)d not sendable" % counts
          + " (%.2f %% lost)" % (100 * counts["lost"] / seen), file=sys.stderr, flush=True)
    sys.exit(0)


def ones_complement_sum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def complete_checksum(frame):
    """A stack sending over a veth leaves TCP and UDP checksums to the NIC; fill them in as a NIC
    would, or the other stack drops the frame."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return frame
    protocol = frame[23]
    field = {6: 16, 17: 6}.get(protocol)
    start, end = 14 + (frame[14] & 0x0F) * 4, 14 + struct.unpack("!H", frame[16:18])[0]
    fragmented = struct.unpack("!H", frame[20:22])[0] & 0x3FFF
    if field is None or fragmented or end > len(frame):
        return frame
    segment = bytearray(frame[start:end])
    segment[field:field + 2] = b"\0\0"
    pseudo_header = frame[26:34] + struct.pack("!BBH", 0, protocol, len(segment))
    checksum = 0xFFFF - ones_complement_sum(pseudo_header + bytes(segment))
    segment[field:field + 2] = struct.pack("!H", checksum or 0xFFFF)
    return frame[:start] + bytes(segment) + frame[end:]


def attach(name):
    port = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    port.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    port.bind((name, 0))
    port.setblocking(False)
    return port


signal.signal(signal.SIGTERM, report)
left, right = attach(sys.argv[1]), attach(sys.argv[2])
routes = {left.fileno(): (left, right), right.fileno(): (right, left)}
poller = select.poll()
for port in (left, right):
    poller.register(port, select.POLLIN)
due, sequence = [], 0
while True:
    while due and due[0][0] <= time.monotonic():
        _, _, out, frame = heapq.heappop(due)
        try:
            out.send(frame)
            counts["forwarded"] += 1
        except OSError as error:
            counts["failed"] += 1
            print("relay: could not forward %d bytes: %s" % (len(frame), error), file=sys.stderr, flush=True)
    wait = max(0.0, due[0][0] - time.monotonic()) * 1000 if due else 1000
    for fd, _ in poller.poll(wait):
        source, out = routes[fd]
        while True:
            try:
                frame, address = source.recvfrom(65535)
            except BlockingIOError:
                break
            if address[2] == PACKET_OUTGOING:
                continue  # a frame this relay forwarded, seen on its way out
            if random.random() < loss:
                counts["lost"] += 1
                continue
            sequence += 1
            heapq.heappush(due, (time.monotonic() + delay, sequence, out, complete_checksum(frame)))
PY
)

# ------------------------------------------------------------ servers

tcp_open_in_lab() { # tcp_open_in_lab ADDR PORT (inside the lab, not over the impaired link)
  # shellcheck disable=SC2016 # $0/$1 are expanded by the inner bash
  ip netns exec "$LAB_NS" timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# wait_until DESCRIPTION CMD...: retry CMD for at most READY_TIMEOUT seconds.
wait_until() {
  local what=$1 deadline=$((SECONDS + READY_TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what not ready after ${READY_TIMEOUT}s"
    sleep 0.3
  done
}

# PostgreSQL: initdb once, copy the cluster for the others, then give each its
# own address and socket directory.
start_postgres() {
  local first="$WORK/pg-${PG_HOSTS[0]}" host dir
  mkdir -p "$first"
  chown postgres: "$first"
  printf 'lab-pw\n' >"$WORK/pwfile"
  chown postgres: "$WORK/pwfile"
  timeout 120 runuser -u postgres -- "$PG_BIN/initdb" -D "$first/data" -U postgres --pwfile="$WORK/pwfile" \
    --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-sync \
    >"$WORK/initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$WORK/initdb.log")"
  for host in "${PG_HOSTS[@]:1}"; do cp -a "$first" "$WORK/pg-$host"; done
  for host in "${PG_HOSTS[@]}"; do
    dir="$WORK/pg-$host"
    printf '%s\n' "listen_addresses = '$PREFIX.$host'" "port = 5432" "unix_socket_directories = '$dir'" \
      "shared_buffers = 16MB" "fsync = off" >>"$dir/data/postgresql.conf"
    echo "host all all $PREFIX.0/24 scram-sha-256" >>"$dir/data/pg_hba.conf"
    timeout $((READY_TIMEOUT + 5)) ip netns exec "$LAB_NS" runuser -u postgres -- "$PG_BIN/pg_ctl" \
      -D "$dir/data" -l "$dir/server.log" -w -t "$READY_TIMEOUT" start >/dev/null 2>&1 9<&- ||
      die "PostgreSQL on $PREFIX.$host did not start: $(tail -n 5 "$dir/server.log")"
    wait_until "PostgreSQL on $PREFIX.$host:5432" tcp_open_in_lab "$PREFIX.$host" 5432
  done
}

maria_config() { # maria_config DIR ADDR
  printf '%s\n' "[mysqld]" "user = mysql" "datadir = $1/data" "tmpdir = $1/tmp" "socket = $1/mysqld.sock" \
    "pid-file = $1/server.pid" "log-error = $1/server.log" "bind-address = $2" "port = 3306" \
    "skip-name-resolve" "max_connect_errors = 1000000" "innodb_buffer_pool_size = 32M" \
    "innodb_log_file_size = 16M" "[client]" "socket = $1/mysqld.sock" "user = root"
}

# MariaDB: install the system tables once, copy them for the others.
start_mariadb() {
  local first="$WORK/maria-${MARIA_HOSTS[0]}" host dir
  for host in "${MARIA_HOSTS[@]}"; do
    dir="$WORK/maria-$host"
    mkdir -p "$dir/tmp"
    maria_config "$dir" "$PREFIX.$host" >"$dir/my.cnf"
  done
  mkdir -p "$first/data"
  chown -R mysql: "$first"
  timeout 120 mariadb-install-db --defaults-file="$first/my.cnf" --skip-test-db \
    --auth-root-authentication-method=socket >"$WORK/install-db.log" 2>&1 ||
    die "mariadb-install-db failed: $(tail -n 5 "$WORK/install-db.log")"
  for host in "${MARIA_HOSTS[@]:1}"; do cp -a "$first/data" "$WORK/maria-$host/data"; done
  for host in "${MARIA_HOSTS[@]}"; do
    dir="$WORK/maria-$host"
    chown -R mysql: "$dir"
    ip netns exec "$LAB_NS" setsid mariadbd --defaults-file="$dir/my.cnf" </dev/null >/dev/null 2>&1 9<&- &
    wait_until "MariaDB on $PREFIX.$host:3306" maria_ready "$dir" "$PREFIX.$host"
  done
}

maria_ready() { # maria_ready DIR ADDR
  timeout 2 mariadb-admin --defaults-file="$1/my.cnf" ping && tcp_open_in_lab "$2" 3306
}

# ------------------------------------------------------------ scan and report

scan() {
  printf '{}\n' >"$WORK/empty.yaml"
  log "scanning $PREFIX.0/24 ports $PORTS: concurrency $CONCURRENCY, rate $RATE/s," \
    "connect deadline $CONNECT_TIMEOUT_MS ms, read deadline $READ_TIMEOUT_MS ms"
  # An empty config, a dry run and a throwaway state dir: nothing is registered
  # or recorded, whatever this machine's dbscout settings are.
  local name unset=() started ended
  for name in $(compgen -e); do
    if [[ $name == DBSCOUT_* ]]; then unset+=(-u "$name"); fi
  done
  started=$(date +%s.%N)
  env "${unset[@]}" timeout "$SCAN_TIMEOUT" "$DBSCOUT" scan "$PREFIX.0/24" -p "$PORTS" --format json \
    --dry-run --no-progress --config "$WORK/empty.yaml" --state-dir "$WORK/state" \
    --concurrency "$CONCURRENCY" --max-rate "$RATE" \
    --connect-timeout "$CONNECT_TIMEOUT_MS" --read-timeout "$READ_TIMEOUT_MS" \
    >"$WORK/scan.json" 2>"$WORK/scan.log" || die "the scan failed: $(tail -n 5 "$WORK/scan.log")"
  ended=$(date +%s.%N)
  WALL=$(python3 -c "print($ended - $started)")
}

# Checks recall and prints the figures; fails when a server was missed, or
# something was reported that is not there.
#
# The ideal is what a scanner that wastes nothing would take, with the
# configured concurrency C and rate R, on a lossless link of round-trip time
# RTT = 2 x delay. Each endpoint holds one of the C slots for its service time:
#   - a PostgreSQL server: 7 RTT (three connections: connect, SSLRequest,
#     startup; connect, GSSENCRequest, answered G; connect, startup);
#   - a MariaDB server: 2 RTT (connect, greeting);
#   - a closed port on a lab address: 1 RTT (SYN, RST);
#   - this host's own address, and the broadcast address: no time (refused,
#     or unreachable, at once);
#   - a silent address (.0 and those past LAB_LAST_HOST; no host answers ARP):
#     the connect deadline, or the time the kernel gives up on ARP if that
#     comes first (mcast_solicit x retrans_time, 3 s by default), after which
#     the connect fails at once.
# The endpoints are taken in the scanner's order (address by address, ports
# ascending), each starting when a slot is free and not before its turn at
# rate R; the ideal is when the last one ends. On this /24 the silent
# addresses are almost all of the work and set the ideal. Loss adds what the
# ideal leaves out: a lost SYN or ARP costs 1 s, a lost segment a
# retransmission timeout.
report() {
  local arp_gives_up
  arp_gives_up=$(($(sysctl -n "net.ipv4.neigh.$HOST_IF.mcast_solicit") *
    $(sysctl -n "net.ipv4.neigh.$HOST_IF.retrans_time_ms")))
  LAB_SCAN="$WORK/scan.json" LAB_WALL=$WALL LAB_PREFIX=$PREFIX LAB_PORTS=$PORTS LAB_LAST_HOST=$LAST_HOST \
    LAB_DELAY_MS=$DELAY_MS LAB_LOSS_PCT=$LOSS_PCT LAB_EMULATOR=$EMULATOR LAB_CONCURRENCY=$CONCURRENCY \
    LAB_RATE=$RATE LAB_CONNECT_TIMEOUT_MS=$CONNECT_TIMEOUT_MS LAB_ARP_GIVES_UP_MS=$arp_gives_up \
    LAB_PG_HOSTS="${PG_HOSTS[*]}" LAB_MARIA_HOSTS="${MARIA_HOSTS[*]}" python3 -c "$REPORT"
}

REPORT=$(
  cat <<'PY'
import heapq, json, os

env = os.environ
scan = json.load(open(env["LAB_SCAN"]))
prefix, ports = env["LAB_PREFIX"], sorted(int(port) for port in env["LAB_PORTS"].split(","))
rtt = 2 * int(env["LAB_DELAY_MS"]) / 1000
concurrency, rate = int(env["LAB_CONCURRENCY"]), int(env["LAB_RATE"])
silent_cost = min(int(env["LAB_CONNECT_TIMEOUT_MS"]), int(env["LAB_ARP_GIVES_UP_MS"])) / 1000
expected = {("%s.%s" % (prefix, host), 5432): "postgresql" for host in env["LAB_PG_HOSTS"].split()}
expected.update({("%s.%s" % (prefix, host), 3306): "mariadb" for host in env["LAB_MARIA_HOSTS"].split()})


def kind(host, port):
    """What is at an endpoint, and its service time in the ideal."""
    product = expected.get(("%s.%d" % (prefix, host), port))
    if product:
        return product, (7 if product == "postgresql" else 2) * rtt
    if host in (1, 255):
        return "this host or broadcast", 0.0
    if 2 <= host <= int(env["LAB_LAST_HOST"]):
        return "closed port", rtt
    return "silent address", silent_cost


endpoints = [kind(host, port) for host in range(256) for port in ports]
slots, ideal = [0.0] * concurrency, 0.0
for turn, (_, cost) in enumerate(endpoints):
    start = max(heapq.heappop(slots), turn / rate)
    heapq.heappush(slots, start + cost)
    ideal = max(ideal, start + cost)
kinds = {}
for name, cost in endpoints:
    kinds[name] = (kinds.get(name, (0, cost))[0] + 1, cost)
work = sum(cost for _, cost in endpoints)

found = {(finding["ip"], finding["port"]): finding["product"] for finding in scan["findings"]}
missed = sorted(endpoint for endpoint, product in expected.items() if found.get(endpoint) != product)
others = sorted(endpoint for endpoint in found if endpoint not in expected)
# This host's own address is not the lab's: a database listening on all of its addresses is really there.
false_findings = [endpoint for endpoint in others if endpoint[0] != "%s.1" % prefix]
wall = float(env["LAB_WALL"])

print("lossy lab: %s ms each way, %s %% loss each way (%s)" % (
    env["LAB_DELAY_MS"], env["LAB_LOSS_PCT"], env["LAB_EMULATOR"]))
print("  endpoints        %d (%s.0/24 x %d ports), concurrency %d, rate %d/s, ideal service times:" % (
    len(endpoints), prefix, len(ports), concurrency, rate))
for name, (count, cost) in sorted(kinds.items(), key=lambda item: -item[1][0] * item[1][1]):
    print("    %-22s %3d x %4.2f s = %6.2f s (%3.0f %% of the work)" % (
        name, count, cost, count * cost, 100 * count * cost / work))
print("  recall           %d/%d (%.0f %%)%s" % (
    len(expected) - len(missed), len(expected), 100 * (len(expected) - len(missed)) / len(expected),
    "  MISSED: %s" % missed if missed else ""))
print("  other findings   %s" % (others or "none"))
print("  wall time        %.2f s (the scan itself: %.2f s)" % (wall, scan["scan"]["duration_seconds"]))
print("  RTT-bound ideal  %.2f s (%d slots; total work / slots alone: %.2f s)" % (
    ideal, concurrency, work / concurrency))
print("  wall / ideal     %.2fx" % (wall / ideal))
raise SystemExit(1 if missed or false_findings else 0)
PY
)

main() {
  check_requirements
  find_dbscout
  exec 9<"${BASH_SOURCE[0]}"
  flock -w 600 9 || die "another lossy-lab.sh is still running"
  trap teardown EXIT
  trap 'exit 130' INT TERM
  # What a run killed before its teardown left behind (none is running: the
  # lock says so): its namespaces, the processes inside, its work directory.
  teardown
  rm -rf /tmp/dbscout-lossy-lab.*
  check_prefix_unused
  WORK=$(mktemp -d /tmp/dbscout-lossy-lab.XXXXXX)
  chmod 755 "$WORK"
  build_network
  log "link impaired by $EMULATOR: $DELAY_MS ms each way, $LOSS_PCT % loss each way"
  start_postgres
  start_mariadb
  log "servers up: PostgreSQL on ${PG_HOSTS[*]/#/.}, MariaDB on ${MARIA_HOSTS[*]/#/.}"
  scan
  report
}

main "$@"
