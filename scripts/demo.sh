#!/usr/bin/env bash
# `make demo`: install, build Demo County (once), serve on http://127.0.0.1:8000.
source "$(dirname "$0")/lib.sh"
JC=$VENV/bin/joinedcare
export JOINEDCARE_ENV=${JOINEDCARE_ENV:-demo}

if [ "${1:-}" = "--reset" ]; then
  step "remove the old demo" $VENV/bin/python - <<'PY' 2>/dev/null || rm -rf var/demo var/joinedcare.sqlite3*
import shutil, pathlib
shutil.rmtree("var/demo", ignore_errors=True)
for p in pathlib.Path("var").glob("joinedcare.sqlite3*"):
    p.unlink()
PY
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
