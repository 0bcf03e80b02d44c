#!/usr/bin/env bash
# Makes Redis (127.0.0.1:6379) and MariaDB (127.0.0.1:3306, root without password, database `test`) available for the
# integration tests. Idempotent: servers that already answer are left alone; never stops or reconfigures a running one.
set -euo pipefail

REDIS_PORT=6379
MARIADB_PORT=3306

log() { echo "[services] $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    log "need root to run: $*"; return 1; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

redis_answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
  else
    port_open "$REDIS_PORT"
  fi
}

mariadb_answers() {
  command -v mysql >/dev/null 2>&1 && mysql -h 127.0.0.1 -P "$MARIADB_PORT" -uroot -e 'SELECT 1' >/dev/null 2>&1
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 60); do
    if $check; then log "$what is up"; return 0; fi
    sleep 1
  done
  log "$what did not come up within 60 s"; return 1
}

ensure_redis() {
  if redis_answers; then log "Redis answers on 127.0.0.1:$REDIS_PORT"; return; fi
  command -v redis-server >/dev/null 2>&1 || { log "installing redis-server"; apt_install redis-server; }
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/tiercache-services.log
  wait_for Redis redis_answers
}

ensure_mariadb() {
  if mariadb_answers; then log "MariaDB answers on 127.0.0.1:$MARIADB_PORT"; else
    if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
      log "installing mariadb-server"; apt_install mariadb-server mariadb-client
    fi
    if ! port_open "$MARIADB_PORT"; then
      log "starting MariaDB on 127.0.0.1:$MARIADB_PORT"
      as_root mkdir -p /run/mysqld
      as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
      as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- \
        --user=mysql --bind-address=127.0.0.1 --port="$MARIADB_PORT"
      wait_for "MariaDB port" "port_open $MARIADB_PORT"
    fi
    if ! mariadb_answers; then
      # A fresh Debian install lets root in only through the unix socket; the tests log in over TCP.
      log "allowing root without password over TCP (fresh install)"
      as_root mysql -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;" \
        || as_root mysql -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED BY ''; FLUSH PRIVILEGES;"
    fi
    wait_for MariaDB mariadb_answers
  fi
  mysql -h 127.0.0.1 -P "$MARIADB_PORT" -uroot -e 'CREATE DATABASE IF NOT EXISTS test'
}

ensure_redis
ensure_mariadb
