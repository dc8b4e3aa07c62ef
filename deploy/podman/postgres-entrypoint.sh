#!/bin/bash
# Entrypoint of the local PostgreSQL image (postgres.Containerfile): the subset
# of the official image's docker-entrypoint.sh that docker-compose.yml relies on.
#
# On an empty $PGDATA: initdb with $POSTGRES_USER (default postgres) as the
# superuser and $POSTGRES_PASSWORD (required) as its password, create
# $POSTGRES_DB (default: the user's name), then run /docker-entrypoint-initdb.d/
# in name order against it on a server that listens on its Unix socket only:
# executable *.sh run, other *.sh are sourced, *.sql are fed to psql. A
# non-empty $PGDATA is started as it is. Connections over TCP need the
# password (scram-sha-256); over the container's own socket they are trusted.
set -euo pipefail

if [ "${1:-}" != postgres ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

export POSTGRES_USER=${POSTGRES_USER:-postgres}
export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres: POSTGRES_PASSWORD is not set; the database is not initialized" >&2
    exit 1
  fi
  password_file=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$password_file"
  initdb --username="$POSTGRES_USER" --pwfile="$password_file" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
  rm -f "$password_file"
  printf "\nhost all all all scram-sha-256\n" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -p 5432" start
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
      -v db="$POSTGRES_DB" <<< 'CREATE DATABASE :"db";'
  fi
  shopt -s nullglob
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh)
        echo "postgres: running $script"
        if [ -x "$script" ]; then "$script"; else . "$script"; fi ;;
      *.sql)
        echo "postgres: running $script"
        psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f "$script" ;;
      *) echo "postgres: ignoring $script" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "postgres: initialized $PGDATA"
fi

exec postgres -D "$PGDATA" -c listen_addresses='*' "${@:2}"
