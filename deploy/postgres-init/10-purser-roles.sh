#!/usr/bin/env bash
# Creates one login role per Purser service, each owning only its own schema
# in the Purser database. Run once by the official postgres image on a fresh
# data volume (/docker-entrypoint-initdb.d), as the superuser, against
# $POSTGRES_DB.
#
#   role               schema       password from
#   purser_identity    identity     IDENTITY_DB_PASSWORD
#   purser_wallet      wallet       WALLET_DB_PASSWORD
#   purser_policy      policy       POLICY_DB_PASSWORD
#   purser_settlement  settlement   SETTLEMENT_DB_PASSWORD
#   purser_email       email        EMAIL_DB_PASSWORD
#
# Each service migrates its schema itself on start (`CREATE SCHEMA IF NOT
# EXISTS <name>` under an advisory lock), which PostgreSQL only allows with
# CREATE on the database; the schemas are therefore made here, owned by their
# service's role, so that no role can take another's name, and no role is
# granted anything on another service's schema. Nobody else may connect.
set -euo pipefail

services=(identity wallet policy settlement email)
database=${POSTGRES_DB:?POSTGRES_DB must name the Purser database}

for service in "${services[@]}"; do
  variable="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  [ -n "${!variable:-}" ] || { echo "postgres-init: $variable is not set" >&2; exit 1; }
done

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "$database" \
  -v database="$database" <<'SQL'
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL

for service in "${services[@]}"; do
  variable="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "$database" \
    -v database="$database" -v role="purser_$service" -v schema="$service" -v password="${!variable}" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
GRANT CONNECT, CREATE ON DATABASE :"database" TO :"role";
CREATE SCHEMA :"schema" AUTHORIZATION :"role";
ALTER ROLE :"role" IN DATABASE :"database" SET search_path = :"schema", public;
SQL
  echo "postgres-init: role purser_$service owns schema $service"
done
