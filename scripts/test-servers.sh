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
# Servers bind only 127.0.0.2 / .3 / .4, so Debian's own services on
# 127.0.0.1 are never touched. Packages are NOT installed here; CI installs
# postgresql mariadb-server mariadb-client redis-server redis-tools openssl.
# Must run as root (PostgreSQL runs as `postgres`, MariaDB as `mysql`,
# Redis as `redis`, via runuser).
set -euo pipefail

export PATH="$PATH:/usr/sbin:/sbin"

STATE_DIR="${DBSCOUT_TEST_SERVERS_DIR:-/tmp/dbscout-test-servers}"
PASSWORD="dbscout-test-pw"
READY_TIMEOUT=30 # seconds, per server
STOP_TIMEOUT=10  # seconds before SIGKILL

# The servers. Tests hard-code these addresses.
# name          kind   address    port   options (key=value, space separated)
SERVERS=(
  "pg-plain     pg     127.0.0.2  5432   tls=off"
  "pg-ssl       pg     127.0.0.2  15432  tls=on"
  "pg-sslonly   pg     127.0.0.2  25432  tls=only"
  "maria-plain  maria  127.0.0.3  3306   charset=utf8mb4 collation=utf8mb4_general_ci probe=yes"
  "maria-refuse maria  127.0.0.3  13306  charset=utf8mb4 collation=utf8mb4_general_ci probe=no"
  "maria-gbk    maria  127.0.0.3  23306  charset=gbk collation=gbk_chinese_ci probe=yes"
  "maria-tls    maria  127.0.0.3  33306  charset=utf8mb4 collation=utf8mb4_general_ci probe=yes tls=required"
  "redis-open   redis  127.0.0.4  6379   password="
  "redis-auth   redis  127.0.0.4  16379  password=$PASSWORD"
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

fail() { # fail NAME MESSAGE
  printf '[test-servers] ERROR: %s: %s\n' "$1" "$2" >&2
  show_log "$1"
  return 1
}

# wait_for NAME DESCRIPTION CMD...: retry CMD until it succeeds, at most
# READY_TIMEOUT seconds.
wait_for() {
  local name=$1 what=$2; shift 2
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
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

# running PID: process exists and is not a zombie (here PID 1 reaps
# orphans slowly, so `kill -0` alone would wait for the reaper).
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# pid_alive PIDFILE COMM: pid file names a running process called COMM.
pid_alive() {
  local pid
  [[ -r $1 ]] || return 1
  pid=$(head -n 1 "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$2" ]] && running "$pid"
}

# stop_pid NAME PIDFILE COMM SIGNAL: polite signal, bounded wait, then SIGKILL.
stop_pid() {
  local name=$1 pidfile=$2 comm=$3 sig=$4 pid deadline
  pid_alive "$pidfile" "$comm" || return 0
  pid=$(head -n 1 "$pidfile")
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
  local pw
  pw=$(opt "$2" password)
  if [[ -n $pw ]]; then echo "Redis, requirepass $pw"; else echo "Redis, no password"; fi
}

redis_start() { # redis_start NAME ADDR PORT OPTIONS
  local name=$1 addr=$2 port=$3 pw dir
  pw=$(opt "$4" password)
  dir=$(server_dir "$name")
  if [[ ! -e $dir/initialized ]]; then
    new_server_dir "$name" redis
    {
      echo "# dbscout test server \"$name\""
      echo "bind $addr"
      echo "port $port"
      echo "protected-mode no"
      echo "daemonize yes"
      echo "pidfile $dir/server.pid"
      echo "logfile $dir/server.log"
      echo "dir $dir"
      echo 'save ""'
      echo "appendonly no"
      if [[ -n $pw ]]; then echo "requirepass $pw"; fi
    } >"$dir/redis.conf"
    chmod 644 "$dir/redis.conf"
    touch "$dir/initialized"
  fi
  runuser -u redis -- redis-server "$dir/redis.conf" >>"$dir/server.log" 2>&1 9<&- ||
    { fail "$name" "redis-server failed to start"; return 1; }
  wait_for "$name" "answering PING on $addr:$port" redis_ping "$addr" "$port" "$pw"
}

redis_ping() { # redis_ping ADDR PORT [PASSWORD]
  local auth=()
  [[ -z ${3-} ]] || auth=(--no-auth-warning -a "$3")
  [[ $(timeout 2 redis-cli -h "$1" -p "$2" "${auth[@]}" ping 2>/dev/null) == PONG ]]
}

# ---------------------------------------------------------------- commands

# for_each_server FUNC: call FUNC NAME KIND ADDR PORT OPTIONS per server.
for_each_server() {
  local line name kind addr port opts rc=0
  for line in "${SERVERS[@]}"; do
    read -r name kind addr port opts <<<"$line"
    "$1" "$name" "$kind" "$addr" "$port" "$opts" || rc=1
  done
  return "$rc"
}

is_up() { # is_up NAME KIND ADDR PORT
  pid_alive "$("${2}_pidfile" "$1")" "$("${2}_comm")" && tcp_open "$3" "$4" 2>/dev/null
}

server_up() {
  local name=$1 kind=$2 addr=$3 port=$4 opts=$5
  if pid_alive "$("${kind}_pidfile" "$name")" "$("${kind}_comm")"; then
    log "$name: already running"
    return 0
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
  printf '%-13s %-5s %-16s %s\n' "$name" "$state" "$addr:$port" "$("${kind}_describe" "$name" "$opts")"
}

print_table() {
  DOWN_COUNT=0
  printf '%-13s %-5s %-16s %s\n' NAME STATE ADDRESS DETAILS
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
    runuser:util-linux setsid:util-linux flock:util-linux timeout:coreutils; do
    cmd=${entry%%:*} pkg=${entry#*:}
    command -v "$cmd" >/dev/null || { missing+=("$cmd"); pkgs+=("$pkg"); }
  done
  for entry in postgres:postgresql mysql:mariadb-server redis:redis-server; do
    id -u "${entry%%:*}" >/dev/null 2>&1 ||
      { missing+=("system user ${entry%%:*}"); pkgs+=("${entry#*:}"); }
  done
  if ((${#missing[@]})); then
    die "missing: ${missing[*]}
  install with: apt-get install -y $(printf '%s\n' "${pkgs[@]}" | sort -u | tr '\n' ' ')"
  fi
}

cmd_up() {
  check_requirements
  mkdir -p "$STATE_DIR"
  chmod 755 "$STATE_DIR"
  runuser -u postgres -- test -x "$STATE_DIR" ||
    die "$STATE_DIR is not reachable by the postgres user (parent directories need o+x)"
  # Start all servers in parallel (initdb / mariadb-install-db dominate),
  # each one's messages go to its own file, shown in table order afterwards.
  local line name kind addr port opts i rc=0 names=() pids=()
  for line in "${SERVERS[@]}"; do
    read -r name kind addr port opts <<<"$line"
    server_up "$name" "$kind" "$addr" "$port" "$opts" 2>"$STATE_DIR/.up-$name.out" &
    names+=("$name")
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[i]}" || rc=1
    cat "$STATE_DIR/.up-${names[i]}.out" >&2
    rm -f "$STATE_DIR/.up-${names[i]}.out"
  done
  echo
  print_table || true
  ((rc == 0)) || die "some servers failed to start (see above)"
}

cmd_down() {
  local rc=0
  if [[ -d $STATE_DIR ]]; then
    for_each_server server_down || rc=1
  fi
  ((rc == 0)) || die "some servers could not be stopped; leaving $STATE_DIR in place"
  rm -rf -- "$STATE_DIR"
  log "all stopped, removed $STATE_DIR"
}

main() {
  local cmd=${1:-}
  case $cmd in
    up | down | status) ;;
    *) die "usage: $0 up|down|status" ;;
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
  esac
}

main "$@"
