# One front door: the same targets for hands and CI.
.PHONY: demo demo-reset test check bench lock

demo:  ## install, build Demo County once, serve on http://127.0.0.1:8000
	@bash scripts/demo.sh

demo-reset:  ## rebuild Demo County and the database from scratch, then serve
	@bash scripts/demo.sh --reset

test:  ## install (Debian packages included), lint, run the suite on SQLite and PostgreSQL
	@bash scripts/test.sh

check:  ## lint, format, migrations and lock up to date
	@bash scripts/check.sh

bench:  ## the benchmark scripts; each ends with one JSON line
	@bash scripts/bench.sh

lock:  ## re-pin every dependency after changing pyproject.toml
	@bash scripts/lock.sh
