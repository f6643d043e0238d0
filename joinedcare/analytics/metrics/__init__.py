"""Outcome metrics as data: definition files, and the engine that computes them.

- `definitions/<slug>.toml`: one file per metric (docs/outcomes.md lists every key);
- `codelists/`: code lists the definitions name, with PROVENANCE.md;
- `catalogue`: loads and checks the definitions;
- `engine`: computes every analytics-sourced metric for every practice, team, locality and
  place and every month, with breakdowns by deprivation, age band, sex and ethnic group.
"""
