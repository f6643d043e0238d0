# Shared by scripts/demo.sh and scripts/test.sh: timed steps and the Python environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=.venv
STEP_LOG=()

step() {  # step "name" command...: run, time, remember
  local name=$1; shift
  local start=$EPOCHREALTIME
  echo "==> $name"
  "$@"
  local secs; secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  STEP_LOG+=("$(printf '%-28s %6s s' "$name" "$secs")")
}

print_steps() {
  echo
  echo "Step timings:"
  for line in "${STEP_LOG[@]}"; do echo "  $line"; done
}

ensure_python() {  # the venv, reinstalled only when pyproject.toml or the lock changed
  local stamp=$VENV/.installed
  if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ] && [ "$stamp" -nt constraints.txt ]; then
    echo "    up to date"; return
  fi
  [ -x $VENV/bin/python ] || python3 -m venv $VENV
  # This machine's pip configuration warns about absent local indexes on every package.
  $VENV/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]' 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  touch "$stamp"
}

ensure_frontend() {  # the NHS.UK frontend from npm, copied into static files
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  if [ ! -f joinedcare/home/static/nhsuk/nhsuk-frontend.min.css ] \
     || [ node_modules/.package-lock.json -nt joinedcare/home/static/nhsuk/nhsuk-frontend.min.css ] \
     || [ scripts/build_frontend.py -nt joinedcare/home/static/nhsuk/nhsuk-frontend.min.css ]; then
    $VENV/bin/python scripts/build_frontend.py
  else
    echo "    up to date"
  fi
}
