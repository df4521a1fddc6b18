#!/usr/bin/env bash
# The library and integration tests twice more: with 2-entry rings
# (RINGIO_ENTRIES=2: a full submission queue and an overflowing completion
# queue on every path), and with shuffled schedules (RINGIO_SHUFFLE=<seed>:
# in debug builds the run queue pops, and each batch of completions wakes,
# in a seeded random order). The seed is fresh each run unless
# RINGIO_SHUFFLE is set; a failure names it.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== the suite with 2-entry rings (RINGIO_ENTRIES=2)"
RINGIO_ENTRIES=2 cargo test --lib --tests --no-fail-fast
seed=${RINGIO_SHUFFLE:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "== the suite with shuffled schedules (RINGIO_SHUFFLE=$seed)"
if ! RINGIO_SHUFFLE=$seed cargo test --lib --tests --no-fail-fast; then
    echo "== FAILED under RINGIO_SHUFFLE=$seed: run the suite with it to reproduce"
    exit 1
fi
