#!/usr/bin/env bash
source "$(dirname "$0")/lib.sh"
for script in benchmarks/[!_]*.py; do  # _*.py: shared helpers
  step "$script" $VENV/bin/python "$script"
done
print_steps
