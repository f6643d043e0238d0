#!/usr/bin/env bash
# `make demo`: install, build Demo County (once), serve on http://127.0.0.1:8000.
source "$(dirname "$0")/lib.sh"
JC=$VENV/bin/joinedcare
export JOINEDCARE_ENV=${JOINEDCARE_ENV:-demo}

if [ "${1:-}" = "--reset" ]; then
  # The keys in var/secrets.json stay: the same people keep the same pseudonyms.
  step "remove the old demo" rm -rf var/demo var/analytics var/runs var/joinedcare.sqlite3 \
    var/joinedcare.sqlite3-wal var/joinedcare.sqlite3-shm
fi
step "python environment" ensure_python
step "NHS.UK frontend" ensure_frontend
step "database migrations" $JC migrate --verbosity 0
step "Demo County" $JC demo
step "static files" $JC collectstatic --no-input --verbosity 0
print_steps
echo
echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops). Sign in with a demo login above."
exec $JC serve --bind 127.0.0.1:8000 --no-collectstatic
