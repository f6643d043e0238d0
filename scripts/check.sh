#!/usr/bin/env bash
source "$(dirname "$0")/lib.sh"
step "python environment" ensure_python
step "ruff check" $VENV/bin/ruff check .
step "ruff format" $VENV/bin/ruff format --check .
step "migrations" env JOINEDCARE_ENV=test $VENV/bin/joinedcare makemigrations --check --dry-run
step "lock" bash scripts/lock.sh --check
print_steps
