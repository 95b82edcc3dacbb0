#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the team-store tests and benches.
#
#   scripts/pg-server.sh start [DIR]   initialise DIR (default /tmp/bud-incident-pg) and start the
#                                      server on 127.0.0.1:${PGPORT:-54329}; prints the store URL
#   scripts/pg-server.sh stop [DIR]    stop it (fast shutdown) and remove DIR
#   scripts/pg-server.sh crash [DIR]   stop it as a crash would (immediate: no checkpoint), keep DIR
#   scripts/pg-server.sh resume [DIR]  start it again on DIR after a crash (recovery runs), on the
#                                      port it was started on
#
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (runuser).
# Authentication is `trust` on loopback only (this server is for tests, never for an incident),
# except for members of the role `bud_password_users`, who must give their password (SCRAM): the
# tests of $PGPASSWORD and ~/.pgpass use them. With openssl at hand the server also speaks TLS, with
# a self-signed certificate for 127.0.0.1 and localhost ($DIR/server.crt): the sslmode tests use it.
set -euo pipefail
cmd=${1:-}
dir=${2:-/tmp/bud-incident-pg}
# The port: $PGPORT, else the one this directory's server was started on, else 54329.
saved_port=""
[ -f "$dir/bud-port" ] && saved_port=$(cat "$dir/bud-port" 2>/dev/null || true)
port=${PGPORT:-${saved_port:-54329}}

bindir=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir=$d; done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then bindir=$(dirname "$(command -v initdb)"); fi
if [ -z "$bindir" ]; then
  echo "pg-server: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 2
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    if [ -f "$dir/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      echo "postgres://postgres@127.0.0.1:$port/bud_incident_test"
      exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bindir/initdb" -D "$dir" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
    # First match wins: the password role's members are asked for their password, everyone else is trusted.
    { echo "host all +bud_password_users 127.0.0.1/32 scram-sha-256"; cat "$dir/pg_hba.conf"; } >"$dir/pg_hba.new"
    mv "$dir/pg_hba.new" "$dir/pg_hba.conf"
    if command -v openssl >/dev/null 2>&1; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1
      chmod 600 "$dir/server.key"
      echo "ssl = on" >>"$dir/postgresql.conf"
    fi
    echo "$port" >"$dir/bud-port"
    [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
    as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on -c max_connections=200" start >/dev/null
    as_owner "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt \
      -c 'CREATE DATABASE bud_incident_test' -c 'CREATE ROLE bud_password_users NOLOGIN' >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/bud_incident_test"
    ;;
  crash)
    as_owner "$bindir/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null
    ;;
  resume)
    as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on -c max_connections=200" start >/dev/null
    ;;
  stop)
    if [ -d "$dir" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
      rm -rf "$dir"
    fi
    ;;
  *)
    echo "usage: scripts/pg-server.sh start|stop|crash|resume [DIR]" >&2
    exit 2
    ;;
esac
