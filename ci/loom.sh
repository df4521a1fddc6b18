#!/usr/bin/env bash
# The park/wake protocol (runtime/remote.rs: the remote inbox, the parked,
# pending and main-woken flags, the eventfd or MSG_RING interrupt, spawn_on
# delivery, the close) under loom, every interleaving it explores with two
# preemptions. Its models (`loom_tests`): a task woken from another thread,
# the block_on future woken from another thread, a wake racing the close, a
# spawn_on runnable sent from another thread and run at home, and a join
# handle (spawn_blocking's) whose task completes on another thread. Its own
# target directory: `--cfg ringio_loom` rebuilds the crate with loom's
# atomics.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== loom (--cfg ringio_loom, LOOM_MAX_PREEMPTIONS=2)"
RUSTFLAGS="--cfg ringio_loom" LOOM_MAX_PREEMPTIONS=2 \
    cargo test --lib --release --target-dir target/loom loom_tests -- --nocapture --test-threads=1
