#!/usr/bin/env bash
# The whole test suite, as `make test` and .ci/run run it, in two passes:
#   1. every test but those marked `serial`, in parallel pytest-xdist workers
#      (TEST_WORKERS, default `auto`: one per CPU); each worker has its own databases
#      (tests/fixtures/databases.py) and loopback ports;
#   2. the `serial` tests (load, timed kills, the deployment, the benchmark), alone on the
#      machine, one after the other.
# Both passes always run. Exits 0 when both pass; 5 when a pass collected no tests (a broken
# suite: .ci/run fails on it); otherwise the first failing pass's pytest status.
# Extra arguments go to both passes (a -k or a path then narrows each; one may then be empty).
set -uo pipefail
cd "$(dirname "$0")/.."

PYTEST=${PYTEST:-.venv/bin/pytest}
WORKERS=${TEST_WORKERS:-auto}

# Bytecode is written and reused: a machine whose environment sets PYTHONDONTWRITEBYTECODE
# (CI's does) would otherwise have every process compile the app and the tests from source
# again, and pytest rewrite every test module's asserts again: each worker, each pass, and
# each gunicorn, flask command and scheduler a test starts (about 12 s of CPU per pytest
# process). The __pycache__ folders are ignored by git.
unset PYTHONDONTWRITEBYTECODE

echo "== pytest, parallel pass (-n $WORKERS, not serial)"
# worksteal: each worker starts on a contiguous half of the suite (the module and session
# fixtures stay with it) and takes work from the other's tail when it runs out.
"$PYTEST" -n "$WORKERS" --dist worksteal -m "not serial" "$@"
parallel=$?

echo "== pytest, serial pass (serial)"
"$PYTEST" -p no:xdist -m serial "$@"
serial=$?

# With no arguments (make test, CI) each pass must run tests; arguments that narrow the run
# to one kind (a path, a -k) may leave one pass empty, but not both.
if { [ $# -eq 0 ] && { [ "$parallel" -eq 5 ] || [ "$serial" -eq 5 ]; }; } \
   || { [ "$parallel" -eq 5 ] && [ "$serial" -eq 5 ]; }; then
  echo "test-suite: no tests collected (parallel pass: $parallel, serial pass: $serial)" >&2
  exit 5
fi
[ "$parallel" -eq 5 ] && parallel=0
[ "$serial" -eq 5 ] && serial=0
for status in "$parallel" "$serial"; do
  if [ "$status" -ne 0 ]; then
    echo "test-suite: FAILED (parallel pass: $parallel, serial pass: $serial)" >&2
    exit "$status"
  fi
done
echo "test-suite: both passes passed"
