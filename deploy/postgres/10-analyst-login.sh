#!/usr/bin/env bash
# Run once by the postgres image on an empty data directory (mounted at /docker-entrypoint-initdb.d):
# creates the analyst login Grafana uses. analyst-login.psql has the SQL; the .psql suffix keeps the
# image from running it a second time, without the password variable.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v grafana_password="${GRAFANA_DB_PASSWORD:?GRAFANA_DB_PASSWORD must be set}" \
     -f /docker-entrypoint-initdb.d/analyst-login.psql
