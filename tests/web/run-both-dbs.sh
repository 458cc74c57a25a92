#!/bin/sh
# Run the web tests on SQLite, then on PostgreSQL (127.0.0.1:5432, user postgres, trust auth,
# database "test"; Django creates and drops test_test). Usage: sh tests/web/run-both-dbs.sh [pytest args]
set -e
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
echo "== web tests on SQLite"
"$PY" -m pytest tests/web "$@"
echo "== web tests on PostgreSQL"
KAOHE_TEST_DB=postgres "$PY" -m pytest tests/web "$@"
