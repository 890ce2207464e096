#!/usr/bin/env bash
# Start/stop real database servers on loopback addresses for dbscout's
# integration tests.
#
#   scripts/test-servers.sh up       start everything (idempotent), wait, print table
#   scripts/test-servers.sh down     stop everything, remove the state dir
#   scripts/test-servers.sh status   say which servers are up (exit 1 if any is down)
#
# All state (data dirs, sockets, logs, pid files, certificates) lives under
# ${DBSCOUT_TEST_SERVERS_DIR:-/tmp/dbscout-test-servers}/<server-name>/.
# Servers bind only 127.0.0.2 to .6, so Debian's own services on 127.0.0.1
# are never touched, plus 10.231.0.2 inside the network namespace
# dbscout-srv (veth pair dbscout-h0 10.231.0.1/30 <-> dbscout-s0
# 10.231.0.2/30), so that one Redis sees a non-loopback client. Packages are
# NOT installed here; CI installs postgresql mariadb-server mariadb-client
# redis-server redis-tools openssl pgbouncer pgpool2 stunnel4 iproute2.
# Must run as root (PostgreSQL, PgBouncer and Pgpool-II run as `postgres`,
# MariaDB as `mysql`, Redis as `redis`, stunnel as `stunnel4`, via runuser).
set -euo pipefail

export PATH="$PATH:/usr/sbin:/sbin"

STATE_DIR="${DBSCOUT_TEST_SERVERS_DIR:-/tmp/dbscout-test-servers}"
PASSWORD="dbscout-test-pw"
READY_TIMEOUT=30     # seconds, per server
STOP_TIMEOUT=10      # seconds before SIGKILL
UPSTREAM_TIMEOUT=120 # seconds a proxy waits for its upstream to finish starting

# The network namespace for servers with netns=yes (their address must be
# NETNS_SRV_ADDR). Only these two addresses exist; nothing is routed.
NETNS=dbscout-srv
NETNS_HOST_IF=dbscout-h0 NETNS_HOST_ADDR=10.231.0.1/30
NETNS_SRV_IF=dbscout-s0 NETNS_SRV_ADDR=10.231.0.2/30

# The servers. Tests hard-code these addresses.
# upstream=NAME (proxies): forward to server NAME, which must come earlier
# in the table; `up` starts the proxy only once NAME has started.
# name            kind      address     port   options (key=value, space separated)
SERVERS=(
  "pg-plain        pg        127.0.0.2   5432   tls=off"
  "pg-ssl          pg        127.0.0.2   15432  tls=on"
  "pg-sslonly      pg        127.0.0.2   25432  tls=only"
  "maria-plain     maria     127.0.0.3   3306   charset=utf8mb4 collation=utf8mb4_general_ci probe=yes"
  "maria-refuse    maria     127.0.0.3   13306  charset=utf8mb4 collation=utf8mb4_general_ci probe=no"
  "maria-gbk       maria     127.0.0.3   23306  charset=gbk collation=gbk_chinese_ci probe=yes"
  "maria-tls       maria     127.0.0.3   33306  charset=utf8mb4 collation=utf8mb4_general_ci probe=yes tls=required"
  "redis-open      redis     127.0.0.4   6379   password="
  "redis-auth      redis     127.0.0.4   16379  password=$PASSWORD"
  "pgbouncer       pgbouncer 127.0.0.5   6432   upstream=pg-plain"
  "pgpool          pgpool    127.0.0.5   9999   upstream=pg-plain"
  "pg-tlsfirst     stunnel   127.0.0.6   5432   upstream=pg-plain cn=dbscout-test-tlsfirst"
  "redis-tls       redis     127.0.0.4   6380   password= tls=on"
  "redis-protected redis     10.231.0.2  6379   password= protected=yes netns=yes"
)

# Servers that `up` does not start: tests start and stop them on demand
# (`start NAME`, `stop NAME`), e.g. a database that appears while a daemon runs.
LATE_SERVERS=(
  "pg-late         pg        127.0.0.17  5432   tls=off"
)

# ---------------------------------------------------------------- helpers

log() { printf "[test-servers] %s %s\n" "$(date +%T.%N | cut -c1-12)" "$*" >&2; }
die() { printf '[test-servers] ERROR: %s\n' "$*" >&2; exit 1; }

# opt OPTIONS KEY [DEFAULT]: value of KEY=... in a server's option string.
opt() {
  local kv
  for kv in $1; do
    if [[ $kv == "$2="* ]]; then printf '%s' "${kv#*=}"; return; fi
  done
  printf '%s' "${3-}"
}

server_dir() { printf '%s/%s' "$STATE_DIR" "$1"; }

# server_address NAME: "ADDR PORT" of a server in the SERVERS table.
server_address() {
  local line name kind addr port opts
  for line in "${SERVERS[@]}"; do
    read -r name kind addr port opts <<<"$line"
    if [[ $name == "$1" ]]; then
      printf '%s %s' "$addr" "$port"
      return 0
    fi
  done
  return 1
}

# upstream_describe OPTIONS: "NAME ADDR:PORT" of a proxy's upstream.
upstream_describe() {
  local up addr port
  up=$(opt "$1" upstream)
  read -r addr port <<<"$(server_address "$up")"
  printf '%s %s:%s' "$up" "$addr" "$port"
}

# Print the tail of a server's log (used on every failure path).
show_log() {
  local logfile
  logfile="$(server_dir "$1")/server.log"
  if [[ -s $logfile ]]; then
    printf -- '----- last 30 lines of %s -----\n' "$logfile" >&2
    tail -n 30 "$logfile" >&2
    # Tools like mariadb-install-db end with a long boilerplate text.
    printf -- '----- error lines -----\n' >&2
    grep -iE '\b(error|fatal|panic|failed|aborting)\b' "$logfile" | tail -n 5 >&2 || true
    printf -- '-----\n' >&2
  else
    printf '(no log at %s)\n' "$logfile" >&2
  fi
}

error() { printf '[test-servers] ERROR: %s: %s\n' "$1" "$2" >&2; } # error NAME MESSAGE

fail() { # fail NAME MESSAGE
  error "$1" "$2"
  show_log "$1"
  return 1
}

# wait_for NAME DESCRIPTION PID CMD...: retry CMD until it succeeds, at most
# READY_TIMEOUT seconds. PID (may be empty): a foreground server we launched;
# give up at once if it exits.
wait_for() {
  local name=$1 what=$2 pid=$3; shift 3
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [[ -n $pid ]] && ! running "$pid"; then
      fail "$name" "exited during startup"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      fail "$name" "not $what after ${READY_TIMEOUT}s"
      return 1
    fi
    sleep 0.2
  done
}

tcp_open() { # tcp_open ADDR PORT: does something accept connections there?
  # shellcheck disable=SC2016 # $0/$1 are expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2"
}

# tcp_reply ADDR PORT DATA COUNT: send DATA (a printf format, e.g. 'PING\r\n')
# and print the first COUNT bytes of the reply.
tcp_reply() {
  # shellcheck disable=SC2016 # $0..$3 are expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"; printf "$2" >&3; head -c "$3" <&3' "$@"
}

# port_owner ADDR PORT OPTIONS: describe any listener already on ADDR:PORT
# (or on the wildcard address) in the server's namespace; empty if none.
port_owner() {
  local ns=()
  [[ $(opt "$3" netns no) != yes ]] || ns=(-N "$NETNS")
  ss "${ns[@]}" -Hltnp "sport = :$2" 2>/dev/null |
    awk -v a="$1:$2" -v p=":$2" '$4 == a || $4 == "0.0.0.0" p || $4 == "*" p || $4 == "[::]" p { print $4, $6 }'
}

# in_netns OPTIONS CMD...: run CMD, inside $NETNS if OPTIONS say netns=yes.
in_netns() {
  if [[ $(opt "$1" netns no) == yes ]]; then
    ip netns exec "$NETNS" "${@:2}"
  else
    "${@:2}"
  fi
}

# running PID: process exists and is not a zombie (here PID 1 reaps
# orphans slowly, so `kill -0` alone would wait for the reaper).
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# read_pid PIDFILE: first line of a pid file (pgpool ends it with NUL, not \n).
read_pid() { tr -d '\0' <"$1" | head -n 1; }

# pid_alive PIDFILE COMM: pid file names a running process called COMM.
pid_alive() {
  local pid
  [[ -r $1 ]] || return 1
  pid=$(read_pid "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$2" ]] && running "$pid"
}

# stop_pid NAME PIDFILE COMM SIGNAL: polite signal, bounded wait, then SIGKILL.
stop_pid() {
  local name=$1 pidfile=$2 comm=$3 sig=$4 pid deadline
  pid_alive "$pidfile" "$comm" || return 0
  pid=$(read_pid "$pidfile")
  log "$name: stopping pid $pid (SIG$sig)"
  kill -s "$sig" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while running "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -s KILL "$pid" 2>/dev/null || true
      sleep 1
      if running "$pid"; then
        log "$name: pid $pid survived SIGKILL"
        return 1
      fi
      break
    fi
    sleep 0.2
  done
}

# make_cert DIR CN OWNER: self-signed certificate DIR/server.{crt,key}.
make_cert() {
  local dir=$1 cn=$2 owner=$3
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$cn" \
    -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1 ||
    die "openssl could not create a certificate in $dir"
  chown "$owner:" "$dir/server.key" "$dir/server.crt"
  chmod 600 "$dir/server.key"
}

# new_server_dir NAME OWNER: fresh, empty per-server dir owned by OWNER,
# with an empty log the service user can append to.
new_server_dir() {
  local dir
  dir=$(server_dir "$1")
  rm -rf "$dir"
  mkdir -p "$dir"
  touch "$dir/server.log"
  chown -R "$2:" "$dir"
  chmod 700 "$dir"
}

# ---------------------------------------------------------------- PostgreSQL

PG_BIN=""
find_pg_bin() {
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/initdb ]] || continue
    best=$(printf '%s\n%s\n' "$best" "$d" | sed '/^$/d' | sort -V | tail -n 1)
  done
  PG_BIN=$best
}

as_pg() { runuser -u postgres -- "$@"; }

pg_comm() { echo postgres; }
pg_pidfile() { echo "$(server_dir "$1")/data/postmaster.pid"; }
pg_stop_signal() { echo INT; } # "fast" shutdown: don't wait for clients

pg_describe() {
  case $(opt "$2" tls) in
    off) echo "PostgreSQL, ssl=off, md5, postgres/$PASSWORD" ;;
    on) echo "PostgreSQL, ssl=on (optional), md5, postgres/$PASSWORD" ;;
    only) echo "PostgreSQL, ssl=on, hostssl only, md5, postgres/$PASSWORD" ;;
  esac
}

# pg_hba lines for a tls mode: off -> host, on -> host + hostssl,
# only -> hostssl, with non-TLS TCP explicitly rejected.
pg_hba() {
  echo "local all all peer"
  case $1 in
    off) echo "host all all 127.0.0.0/8 md5" ;;
    on)
      echo "hostssl all all 127.0.0.0/8 md5"
      echo "host    all all 127.0.0.0/8 md5"
      ;;
    only)
      echo "hostssl   all all 127.0.0.0/8 md5"
      echo "hostnossl all all 0.0.0.0/0   reject"
      echo "hostnossl all all ::/0        reject"
      ;;
  esac
}

pg_init() { # pg_init NAME ADDR PORT OPTIONS
  local name=$1 addr=$2 port=$3 tls dir ssl=off
  tls=$(opt "$4" tls off)
  dir=$(server_dir "$name")
  new_server_dir "$name" postgres

  printf '%s\n' "$PASSWORD" >"$dir/pwfile"
  chown postgres: "$dir/pwfile"
  chmod 600 "$dir/pwfile"
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
    --auth-host=md5 --auth-local=peer --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >>"$dir/server.log" 2>&1 || { fail "$name" "initdb failed"; return 1; }
  rm -f "$dir/pwfile"

  if [[ $tls != off ]]; then
    make_cert "$dir" dbscout-test-pg postgres
    ssl=on
  fi
  cat >>"$dir/data/postgresql.conf" <<EOF

# ---- dbscout test server "$name" ----
listen_addresses = '$addr'
port = $port
unix_socket_directories = '$dir'
ssl = $ssl
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
password_encryption = md5
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  pg_hba "$tls" >"$dir/data/pg_hba.conf"
}

pg_start() { # pg_start NAME ADDR PORT OPTIONS
  local name=$1 addr=$2 port=$3 dir first=no
  dir=$(server_dir "$name")
  if [[ ! -e $dir/initialized ]]; then
    pg_init "$@" || return 1
    first=yes
  fi
  # -w: pg_ctl waits (bounded) until the postmaster reports ready, and
  # fails at once if it dies; pg_isready then confirms the TCP listener.
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "$READY_TIMEOUT" \
    start >/dev/null 2>&1 9<&- || { fail "$name" "pg_ctl start failed"; return 1; }
  "$PG_BIN/pg_isready" -q -h "$addr" -p "$port" -t 3 ||
    { fail "$name" "not accepting TCP connections on $addr:$port"; return 1; }
  if [[ $first == yes ]]; then
    # initdb stored the password as SCRAM; store it as md5 so that the md5
    # pg_hba lines really make the server ask for an MD5 password.
    as_pg "$PG_BIN/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
      -c "ALTER ROLE postgres PASSWORD '$PASSWORD'" >>"$dir/server.log" 2>&1 ||
      { fail "$name" "could not set the postgres password"; return 1; }
    touch "$dir/initialized"
  fi
}

# pg_login ADDR PORT: log in over TCP (no TLS) as postgres and run a query.
pg_login() {
  [[ $(PGPASSWORD=$PASSWORD PGCONNECT_TIMEOUT=3 timeout 5 "$PG_BIN/psql" -X -At -w \
    "host=$1 port=$2 user=postgres dbname=postgres sslmode=disable" -c 'SELECT 1') == 1 ]]
}

# pg_tls_first_ready ADDR PORT: TLS handshake first, then an SSLRequest sent
# inside the tunnel is answered 'N' by a real PostgreSQL.
pg_tls_first_ready() {
  [[ $({ printf '\x00\x00\x00\x08\x04\xd2\x16\x2f'; sleep 0.5; } |
    timeout 5 openssl s_client -quiet -no_ign_eof -connect "$1:$2" 2>/dev/null | head -c 1) == N ]]
}

# ---------------------------------------------------------------- PgBouncer
# In front of its upstream PostgreSQL (any database name), md5 auth against
# an auth_file, no unix socket.

pgbouncer_comm() { echo pgbouncer; }
pgbouncer_pidfile() { echo "$(server_dir "$1")/server.pid"; }
pgbouncer_stop_signal() { echo TERM; } # immediate shutdown (INT waits for clients)

pgbouncer_describe() {
  echo "PgBouncer -> $(upstream_describe "$2"), md5 auth_file, postgres/$PASSWORD"
}

pgbouncer_start() { # pgbouncer_start NAME ADDR PORT OPTIONS
  local name=$1 addr=$2 port=$3 dir up_addr up_port
  dir=$(server_dir "$name")
  read -r up_addr up_port <<<"$(server_address "$(opt "$4" upstream)")"
  if [[ ! -e $dir/initialized ]]; then
    new_server_dir "$name" postgres
    printf '"postgres" "%s"\n' "$PASSWORD" >"$dir/userlist.txt"
    cat >"$dir/pgbouncer.ini" <<EOF
; dbscout test server "$name"
[databases]
* = host=$up_addr port=$up_port

[pgbouncer]
listen_addr = $addr
listen_port = $port
unix_socket_dir =
auth_type = md5
auth_file = $dir/userlist.txt
logfile = $dir/server.log
pidfile = $dir/server.pid
EOF
    chown postgres: "$dir/userlist.txt" "$dir/pgbouncer.ini"
    chmod 600 "$dir/userlist.txt"
    touch "$dir/initialized"
  fi
  rm -f "$dir/server.pid" # stale: server_up found no running pgbouncer
  as_pg pgbouncer -d "$dir/pgbouncer.ini" >>"$dir/server.log" 2>&1 9<&- ||
    { fail "$name" "pgbouncer failed to start"; return 1; }
  wait_for "$name" "accepting logins on $addr:$port" "" pg_login "$addr" "$port"
}

# ---------------------------------------------------------------- Pgpool-II
# Raw mode, one backend (the upstream), no health/replication checks, PCP on
# a unix socket only. Clients authenticate with md5 against pool_passwd.

pgpool_comm() { echo pgpool; }
pgpool_pidfile() { echo "$(server_dir "$1")/server.pid"; }
pgpool_stop_signal() { echo INT; } # fast shutdown (TERM waits for clients)

pgpool_describe() {
  echo "Pgpool-II raw mode -> $(upstream_describe "$2"), md5 pool_passwd, postgres/$PASSWORD"
}

pgpool_start() { # pgpool_start NAME ADDR PORT OPTIONS
  local name=$1 addr=$2 port=$3 dir up_addr up_port md5
  dir=$(server_dir "$name")
  read -r up_addr up_port <<<"$(server_address "$(opt "$4" upstream)")"
  if [[ ! -e $dir/initialized ]]; then
    new_server_dir "$name" postgres
    : >"$dir/pcp.conf"
    md5=$(printf '%s%s' "$PASSWORD" postgres | md5sum)
    printf 'postgres:md5%s\n' "${md5%% *}" >"$dir/pool_passwd"
    # 4.3 spells the unix socket directory socket_dir (unix_socket_directories
    # is 4.4+ and is silently ignored here). failover_on_backend_error=off:
    # a restart of the upstream must not detach the only backend for good.
    cat >"$dir/pgpool.conf" <<EOF
# dbscout test server "$name"
backend_clustering_mode = 'raw'
listen_addresses = '$addr'
port = $port
socket_dir = '$dir'
pcp_listen_addresses = ''
pcp_socket_dir = '$dir'
backend_hostname0 = '$up_addr'
backend_port0 = $up_port
backend_weight0 = 1
backend_flag0 = 'ALLOW_TO_FAILOVER'
pool_passwd = 'pool_passwd'
enable_pool_hba = off
num_init_children = 4
max_pool = 1
health_check_period = 0
sr_check_period = 0
failover_on_backend_error = off
pid_file_name = '$dir/server.pid'
logdir = '$dir'
memqcache_oiddir = '$dir/oiddir'
# The query-cache segment is allocated (and touched) even when the cache is
# off: 128 MB by default, 1.3 MB with these.
memqcache_total_size = 1MB
memqcache_max_num_cache = 1000
EOF
    chown postgres: "$dir/pcp.conf" "$dir/pool_passwd" "$dir/pgpool.conf"
    chmod 600 "$dir/pool_passwd"
    touch "$dir/initialized"
  fi
  rm -f "$dir/server.pid" # stale: server_up found no running pgpool
  # -n: foreground (we background it), -D: forget a stale backend status.
  setsid runuser -u postgres -- pgpool -n -D -f "$dir/pgpool.conf" -F "$dir/pcp.conf" \
    </dev/null >>"$dir/server.log" 2>&1 9<&- &
  wait_for "$name" "accepting logins on $addr:$port" "$!" pg_login "$addr" "$port"
}

# ---------------------------------------------------------------- stunnel
# A TLS-first service: TLS from the first byte, then plain TCP to the
# upstream (stands in for PostgreSQL 17 direct TLS, which Debian 12 lacks).

stunnel_comm() { echo stunnel4; }
stunnel_pidfile() { echo "$(server_dir "$1")/server.pid"; }
stunnel_stop_signal() { echo TERM; }

stunnel_describe() {
  echo "stunnel TLS-first (CN=$(opt "$2" cn)) -> PostgreSQL $(upstream_describe "$2")"
}

stunnel_start() { # stunnel_start NAME ADDR PORT OPTIONS
  local name=$1 addr=$2 port=$3 dir up_addr up_port
  dir=$(server_dir "$name")
  read -r up_addr up_port <<<"$(server_address "$(opt "$4" upstream)")"
  if [[ ! -e $dir/initialized ]]; then
    new_server_dir "$name" stunnel4
    make_cert "$dir" "$(opt "$4" cn dbscout-test-stunnel)" stunnel4
    cat >"$dir/stunnel.conf" <<EOF
; dbscout test server "$name"
foreground = no
pid = $dir/server.pid
output = $dir/server.log

[$name]
accept = $addr:$port
connect = $up_addr:$up_port
cert = $dir/server.crt
key = $dir/server.key
EOF
    chmod 644 "$dir/stunnel.conf"
    touch "$dir/initialized"
  fi
  rm -f "$dir/server.pid" # stale: server_up found no running stunnel
  runuser -u stunnel4 -- stunnel4 "$dir/stunnel.conf" >>"$dir/server.log" 2>&1 9<&- ||
    { fail "$name" "stunnel failed to start"; return 1; }
  wait_for "$name" "a TLS-first PostgreSQL on $addr:$port" "" pg_tls_first_ready "$addr" "$port"
}

# ---------------------------------------------------------------- MariaDB

maria_comm() { echo mariadbd; }
maria_pidfile() { echo "$(server_dir "$1")/server.pid"; }
maria_stop_signal() { echo TERM; }

maria_describe() {
  local d
  d="MariaDB, $(opt "$2" collation)"
  if [[ $(opt "$2" probe) == yes ]]; then d+=", probe/$PASSWORD"; else d+=", no TCP account (ERR 1130)"; fi
  if [[ $(opt "$2" tls) == required ]]; then d+=", TLS required"; fi
  echo "$d"
}

maria_client() { mariadb --defaults-file="$(server_dir "$1")/my.cnf" "${@:2}"; }

maria_init() { # maria_init NAME ADDR PORT OPTIONS
  local name=$1 addr=$2 port=$3 opts=$4 dir
  dir=$(server_dir "$name")
  new_server_dir "$name" mysql
  mkdir "$dir/data" "$dir/tmp"
  chown mysql: "$dir/data" "$dir/tmp"

  cat >"$dir/my.cnf" <<EOF
# dbscout test server "$name"
[mysqld]
user = mysql
datadir = $dir/data
tmpdir = $dir/tmp
socket = $dir/mysqld.sock
pid-file = $dir/server.pid
log-error = $dir/server.log
bind-address = $addr
port = $port
skip-name-resolve
# Every probe hangs up after the greeting; the tests make thousands, which must not get 127.0.0.1 blocked.
max_connect_errors = 1000000
character-set-server = $(opt "$opts" charset utf8mb4)
collation-server = $(opt "$opts" collation utf8mb4_general_ci)
innodb_buffer_pool_size = 32M
innodb_log_file_size = 16M
innodb_flush_log_at_trx_commit = 2
EOF
  if [[ $(opt "$opts" tls) == required ]]; then
    make_cert "$dir" dbscout-test-maria mysql
    cat >>"$dir/my.cnf" <<EOF
ssl-cert = $dir/server.crt
ssl-key = $dir/server.key
require_secure_transport = ON
EOF
  fi
  cat >>"$dir/my.cnf" <<EOF

[client]
socket = $dir/mysqld.sock
user = root
EOF
  chmod 644 "$dir/my.cnf"

  # With socket auth for root, 10.11 creates only root@localhost and
  # mysql@localhost (unix_socket): no anonymous users, nothing a TCP peer
  # can match.
  mariadb-install-db --defaults-file="$dir/my.cnf" --skip-test-db \
    --auth-root-authentication-method=socket \
    >>"$dir/server.log" 2>&1 || { fail "$name" "mariadb-install-db failed"; return 1; }
}

maria_start() { # maria_start NAME ADDR PORT OPTIONS
  local name=$1 addr=$2 port=$3 opts=$4 dir pid first=no
  dir=$(server_dir "$name")
  if [[ ! -e $dir/initialized ]]; then
    maria_init "$@" || return 1
    first=yes
  fi
  setsid mariadbd --defaults-file="$dir/my.cnf" </dev/null >>"$dir/server.log" 2>&1 9<&- &
  pid=$!
  local deadline=$((SECONDS + READY_TIMEOUT))
  until timeout 2 mariadb-admin --defaults-file="$dir/my.cnf" ping >/dev/null 2>&1 &&
    tcp_open "$addr" "$port" 2>/dev/null; do
    running "$pid" || { fail "$name" "mariadbd exited during startup"; return 1; }
    ((SECONDS < deadline)) ||
      { fail "$name" "not accepting connections on $addr:$port after ${READY_TIMEOUT}s"; return 1; }
    sleep 0.2
  done
  if [[ $first == yes ]]; then
    if [[ $(opt "$opts" probe) == yes ]]; then
      maria_client "$name" -e "CREATE USER 'probe'@'%' IDENTIFIED BY '$PASSWORD'" \
        >>"$dir/server.log" 2>&1 || { fail "$name" "could not create probe@%"; return 1; }
    fi
    touch "$dir/initialized"
  fi
}

# ---------------------------------------------------------------- Redis

redis_comm() { echo redis-server; }
redis_pidfile() { echo "$(server_dir "$1")/server.pid"; }
redis_stop_signal() { echo TERM; }

redis_describe() {
  local pw d=Redis
  pw=$(opt "$2" password)
  if [[ $(opt "$2" tls off) == on ]]; then d+=", TLS only (tls-port)"; fi
  if [[ -n $pw ]]; then d+=", requirepass $pw"; else d+=", no password"; fi
  if [[ $(opt "$2" protected no) == yes ]]; then d+=", protected mode (-DENIED)"; fi
  if [[ $(opt "$2" netns no) == yes ]]; then d+=", netns $NETNS, client ${NETNS_HOST_ADDR%/*}"; fi
  echo "$d"
}

redis_conf() { # redis_conf NAME ADDR PORT OPTIONS
  local dir pw
  dir=$(server_dir "$1")
  pw=$(opt "$4" password)
  echo "# dbscout test server \"$1\""
  echo "bind $2"
  if [[ $(opt "$4" tls off) == on ]]; then
    echo "port 0"
    echo "tls-port $3"
    echo "tls-cert-file $dir/server.crt"
    echo "tls-key-file $dir/server.key"
    echo "tls-auth-clients no"
  else
    echo "port $3"
  fi
  echo "protected-mode $(opt "$4" protected no)"
  echo "daemonize yes"
  echo "pidfile $dir/server.pid"
  echo "logfile $dir/server.log"
  echo "dir $dir"
  echo 'save ""'
  echo "appendonly no"
  if [[ -n $pw ]]; then echo "requirepass $pw"; fi
}

redis_start() { # redis_start NAME ADDR PORT OPTIONS
  local name=$1 addr=$2 port=$3 opts=$4 dir
  dir=$(server_dir "$name")
  if [[ ! -e $dir/initialized ]]; then
    new_server_dir "$name" redis
    if [[ $(opt "$opts" tls off) == on ]]; then make_cert "$dir" dbscout-test-redis redis; fi
    redis_conf "$name" "$addr" "$port" "$opts" >"$dir/redis.conf"
    chmod 644 "$dir/redis.conf"
    touch "$dir/initialized"
  fi
  in_netns "$opts" runuser -u redis -- redis-server "$dir/redis.conf" >>"$dir/server.log" 2>&1 9<&- ||
    { fail "$name" "redis-server failed to start"; return 1; }
  wait_for "$name" "answering on $addr:$port" "" redis_ready "$addr" "$port" "$opts"
}

# redis_ready ADDR PORT OPTIONS: PONG, or for protected mode the -DENIED
# reply that a non-loopback client (we are 10.231.0.1 to it) gets.
redis_ready() {
  local pw args=()
  if [[ $(opt "$3" protected no) == yes ]]; then
    [[ $(tcp_reply "$1" "$2" 'PING\r\n' 7) == -DENIED ]]
    return
  fi
  pw=$(opt "$3" password)
  [[ -z $pw ]] || args+=(--no-auth-warning -a "$pw")
  [[ $(opt "$3" tls off) != on ]] || args+=(--tls --insecure)
  [[ $(timeout 2 redis-cli -h "$1" -p "$2" "${args[@]}" ping 2>/dev/null) == PONG ]]
}

# ---------------------------------------------------------------- netns

needs_netns() { [[ " ${SERVERS[*]} " == *" netns=yes "* ]]; }

# netns_up: namespace $NETNS with lo up and a veth pair to the root
# namespace (idempotent).
netns_up() {
  [[ -e /run/netns/$NETNS ]] || ip netns add "$NETNS" || die "could not create netns $NETNS"
  if ! ip link show "$NETNS_HOST_IF" >/dev/null 2>&1; then
    ip link add "$NETNS_HOST_IF" type veth peer name "$NETNS_SRV_IF" netns "$NETNS" ||
      die "could not create veth $NETNS_HOST_IF/$NETNS_SRV_IF"
  fi
  { ip addr replace "$NETNS_HOST_ADDR" dev "$NETNS_HOST_IF" &&
    ip link set "$NETNS_HOST_IF" up &&
    ip -n "$NETNS" link set lo up &&
    ip -n "$NETNS" addr replace "$NETNS_SRV_ADDR" dev "$NETNS_SRV_IF" &&
    ip -n "$NETNS" link set "$NETNS_SRV_IF" up; } ||
    die "could not configure $NETNS_HOST_IF/$NETNS_SRV_IF (try: $0 down)"
  # The namespace's stack answers without TCP timestamps, so the tests see a real Linux SYN-ACK of each kind:
  # with timestamps on loopback, without them across the veth.
  ip netns exec "$NETNS" sysctl -qw net.ipv4.tcp_timestamps=0 ||
    die "could not turn off TCP timestamps in $NETNS"
}

# netns_down: remove the veth pair and the namespace, unless something
# still runs inside it.
netns_down() {
  local pids
  if [[ -e /run/netns/$NETNS ]]; then
    pids=$(ip netns pids "$NETNS" | tr '\n' ' ')
    if [[ -n ${pids// /} ]]; then
      log "netns $NETNS: processes still inside: $pids"
      return 1
    fi
  fi
  if ip link show "$NETNS_HOST_IF" >/dev/null 2>&1; then
    ip link del "$NETNS_HOST_IF"
    log "removed veth $NETNS_HOST_IF/$NETNS_SRV_IF"
  fi
  if [[ -e /run/netns/$NETNS ]]; then
    ip netns del "$NETNS"
    log "removed netns $NETNS"
  fi
}

# ---------------------------------------------------------------- commands

# for_each_server FUNC [reverse]: call FUNC NAME KIND ADDR PORT OPTIONS per
# server, in table order or (to stop proxies before their upstreams) reversed.
for_each_server() {
  local n=${#SERVERS[@]} i name kind addr port opts rc=0
  for ((i = 0; i < n; i++)); do
    if [[ ${2-} == reverse ]]; then
      read -r name kind addr port opts <<<"${SERVERS[n - 1 - i]}"
    else
      read -r name kind addr port opts <<<"${SERVERS[i]}"
    fi
    "$1" "$name" "$kind" "$addr" "$port" "$opts" || rc=1
  done
  return "$rc"
}

# check_table: every upstream= names a server listed earlier (so `up` can
# order them), netns servers use the namespace's address.
check_table() {
  local line name kind addr port opts up seen=" "
  for line in "${SERVERS[@]}"; do
    read -r name kind addr port opts <<<"$line"
    up=$(opt "$opts" upstream)
    [[ -z $up || $seen == *" $up "* ]] ||
      die "SERVERS: $name: upstream=$up is not a server listed before it"
    [[ $(opt "$opts" netns no) != yes || $addr == "${NETNS_SRV_ADDR%/*}" ]] ||
      die "SERVERS: $name: netns=yes needs address ${NETNS_SRV_ADDR%/*}"
    seen+="$name "
  done
}

# await_started NAME UPSTREAM: wait (bounded) until this `up` has finished
# starting UPSTREAM (its job writes .up-UPSTREAM.rc); fail unless it worked.
await_started() {
  local rcfile="$STATE_DIR/.up-$2.rc" deadline=$((SECONDS + UPSTREAM_TIMEOUT))
  log "$1: waiting for upstream $2"
  until [[ -s $rcfile ]]; do
    if ((SECONDS >= deadline)); then
      error "$1" "upstream $2 still not started after ${UPSTREAM_TIMEOUT}s"
      return 1
    fi
    sleep 0.2
  done
  [[ $(<"$rcfile") == 0 ]] || { error "$1" "not started because upstream $2 failed"; return 1; }
}

is_up() { # is_up NAME KIND ADDR PORT
  pid_alive "$("${2}_pidfile" "$1")" "$("${2}_comm")" && tcp_open "$3" "$4" 2>/dev/null
}

server_up() {
  local name=$1 kind=$2 addr=$3 port=$4 opts=$5 upstream owner
  if pid_alive "$("${kind}_pidfile" "$name")" "$("${kind}_comm")"; then
    log "$name: already running"
    return 0
  fi
  upstream=$(opt "$opts" upstream)
  if [[ -n $upstream ]]; then await_started "$name" "$upstream" || return 1; fi
  owner=$(port_owner "$addr" "$port" "$opts")
  if [[ -n $owner ]]; then
    error "$name" "$addr:$port is already taken by a process this script did not start: $owner"
    return 1
  fi
  log "$name: starting on $addr:$port"
  "${kind}_start" "$name" "$addr" "$port" "$opts"
}

server_down() {
  local name=$1 kind=$2
  stop_pid "$name" "$("${kind}_pidfile" "$name")" "$("${kind}_comm")" "$("${kind}_stop_signal")"
}

server_row() {
  local name=$1 kind=$2 addr=$3 port=$4 opts=$5 state=down
  if is_up "$name" "$kind" "$addr" "$port"; then state=up; else DOWN_COUNT=$((DOWN_COUNT + 1)); fi
  printf '%-16s %-5s %-16s %s\n' "$name" "$state" "$addr:$port" "$("${kind}_describe" "$name" "$opts")"
}

print_table() {
  DOWN_COUNT=0
  printf '%-16s %-5s %-16s %s\n' NAME STATE ADDRESS DETAILS
  for_each_server server_row
  printf 'state dir: %s\n' "$STATE_DIR"
  ((DOWN_COUNT == 0))
}

# Every binary `up` needs, with the Debian package that provides it.
check_requirements() {
  local missing=() pkgs=() entry cmd pkg
  find_pg_bin
  if [[ -z $PG_BIN ]]; then
    missing+=("/usr/lib/postgresql/*/bin/initdb"); pkgs+=(postgresql)
  else
    for cmd in pg_ctl postgres pg_isready psql; do
      [[ -x $PG_BIN/$cmd ]] || { missing+=("$PG_BIN/$cmd"); pkgs+=(postgresql); }
    done
  fi
  for entry in mariadbd:mariadb-server mariadb-install-db:mariadb-server \
    mariadb:mariadb-client mariadb-admin:mariadb-client \
    redis-server:redis-server redis-cli:redis-tools openssl:openssl \
    pgbouncer:pgbouncer pgpool:pgpool2 stunnel4:stunnel4 ip:iproute2 ss:iproute2 \
    runuser:util-linux setsid:util-linux flock:util-linux timeout:coreutils; do
    cmd=${entry%%:*} pkg=${entry#*:}
    command -v "$cmd" >/dev/null || { missing+=("$cmd"); pkgs+=("$pkg"); }
  done
  for entry in postgres:postgresql mysql:mariadb-server redis:redis-server stunnel4:stunnel4; do
    id -u "${entry%%:*}" >/dev/null 2>&1 ||
      { missing+=("system user ${entry%%:*}"); pkgs+=("${entry#*:}"); }
  done
  if ((${#missing[@]})); then
    die "missing: ${missing[*]}
  install with: apt-get install -y $(printf '%s\n' "${pkgs[@]}" | sort -u | tr '\n' ' ')"
  fi
}

cmd_up() {
  check_table
  check_requirements
  mkdir -p "$STATE_DIR"
  chmod 755 "$STATE_DIR"
  runuser -u postgres -- test -x "$STATE_DIR" ||
    die "$STATE_DIR is not reachable by the postgres user (parent directories need o+x)"
  if needs_netns; then netns_up; fi
  # Start all servers in parallel (initdb / mariadb-install-db dominate),
  # each one's messages go to its own file, shown in table order afterwards.
  # Each job records its exit status in .up-NAME.rc for proxies waiting on it.
  local line name kind addr port opts i rc=0 names=() pids=()
  rm -f "$STATE_DIR"/.up-*.rc
  for line in "${SERVERS[@]}"; do
    read -r name kind addr port opts <<<"$line"
    (
      trap 'echo $? >"$STATE_DIR/.up-$name.rc"' EXIT
      server_up "$name" "$kind" "$addr" "$port" "$opts"
    ) 2>"$STATE_DIR/.up-$name.out" &
    names+=("$name")
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[i]}" || rc=1
    cat "$STATE_DIR/.up-${names[i]}.out" >&2
    rm -f "$STATE_DIR/.up-${names[i]}.out"
  done
  rm -f "$STATE_DIR"/.up-*.rc # only now: proxies poll their upstream's file
  echo
  print_table || true
  ((rc == 0)) || die "some servers failed to start (see above)"
}

# late_server NAME: the LATE_SERVERS line of NAME.
late_server() {
  local line name
  for line in "${LATE_SERVERS[@]}"; do
    read -r name _ <<<"$line"
    if [[ $name == "$1" ]]; then
      echo "$line"
      return 0
    fi
  done
  die "no late server named '$1' (known: $(printf '%s ' "${LATE_SERVERS[@]%% *}"))"
}

cmd_start() {
  local line name kind addr port opts
  line=$(late_server "$1")
  read -r name kind addr port opts <<<"$line"
  check_requirements
  mkdir -p "$STATE_DIR"
  chmod 755 "$STATE_DIR"
  server_up "$name" "$kind" "$addr" "$port" "$opts"
}

cmd_stop() {
  local line name kind addr port opts
  line=$(late_server "$1")
  read -r name kind addr port opts <<<"$line"
  server_down "$name" "$kind" "$addr" "$port" "$opts"
}

cmd_down() {
  local rc=0 line name kind addr port opts
  if [[ -d $STATE_DIR ]]; then
    for line in "${LATE_SERVERS[@]}"; do
      read -r name kind addr port opts <<<"$line"
      server_down "$name" "$kind" "$addr" "$port" "$opts" || rc=1
    done
    for_each_server server_down reverse || rc=1
  fi
  if needs_netns; then netns_down || rc=1; fi
  ((rc == 0)) || die "some servers could not be stopped; leaving $STATE_DIR in place"
  rm -rf -- "$STATE_DIR"
  log "all stopped, removed $STATE_DIR"
}

main() {
  local cmd=${1:-}
  case $cmd in
    up | down | status) ;;
    start | stop) [[ -n ${2-} ]] || die "usage: $0 $cmd NAME (a late server)" ;;
    *) die "usage: $0 up|down|status|start NAME|stop NAME" ;;
  esac
  ((EUID == 0)) || die "must be run as root (servers run as postgres/mysql/redis via runuser)"
  [[ $STATE_DIR == /?* && $STATE_DIR != *[[:space:]]* ]] ||
    die "DBSCOUT_TEST_SERVERS_DIR must be an absolute path without spaces (got '$STATE_DIR')"
  [[ $(realpath -m "$STATE_DIR") != / ]] || die "refusing to use / as the state dir"

  # Serialise concurrent invocations (several engineers / CI steps). Every
  # server launch below closes fd 9 (`9<&-`) so daemons don't inherit the lock.
  exec 9<"${BASH_SOURCE[0]}"
  flock -w 120 9 || die "another test-servers.sh is still running"

  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) print_table ;;
    start) cmd_start "$2" ;;
    stop) cmd_stop "$2" ;;
  esac
}

main "$@"
