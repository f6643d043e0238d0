#!/usr/bin/env bash
source "$(dirname "$0")/lib.sh"
for script in benchmarks/*.py; do
  step "$script" $VENV/bin/python "$script"
done
print_steps
