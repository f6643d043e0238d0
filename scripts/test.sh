#!/usr/bin/env bash
# `make test`: install everything the suite needs, then run it on SQLite and on a real
# PostgreSQL. Extra arguments go to pytest (`-n 0` runs in one process).
source "$(dirname "$0")/lib.sh"
export JOINEDCARE_ENV=test
step "python environment" ensure_python
step "Debian packages" bash scripts/system-packages.sh
step "NHS.UK frontend" ensure_frontend
step "lint (ruff)" $VENV/bin/ruff check .
# One worker per core: on a 2-core machine this nearly halves the suite's time.
set -- -n auto "$@"
step "tests on SQLite" $VENV/bin/pytest -m "not postgres" "$@"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  # Analytics and the generator never touch the database: the SQLite run covers them.
  step "tests on PostgreSQL" bash scripts/postgres.sh $VENV/bin/pytest \
    --ignore=tests/analytics --ignore=tests/synthetic "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required under CI=true" >&2; exit 1
else
  echo "PostgreSQL server not installed: the PostgreSQL run is left out (CI runs it)."
fi
print_steps
