#!/bin/sh
# The scaling table (benches/scaling.rs) at 1, 2, 4, 8, 16, 32 workers, for a many-core
# machine: `benches/scaling.sh` from the repository root (or anywhere inside it).
#
# Each cell is the median of 3 fresh processes (SCALING_RUNS); SCALING_THREADS overrides the
# worker counts, SCALING_QUICK=1 picks smaller sizes, SCALING_BUDGET_MS the time per figure.
# Extra arguments go to the bench: a comma-separated list of workloads, e.g.
#   benches/scaling.sh skynet,fibonacci
# The table goes to stdout, progress to stderr: `benches/scaling.sh > scaling.md`.
set -eu
cd "$(dirname "$0")/.."
SCALING_THREADS="${SCALING_THREADS:-1,2,4,8,16,32}"
export SCALING_THREADS
exec cargo bench --bench scaling -- "$@"
