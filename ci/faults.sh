#!/usr/bin/env bash
# Fault injection (feature `fault-injection`): every op-backed method under
# each errno, a seeded random run of the echo and file-serving workloads
# (the seed is printed; RINGIO_FAULT_SEED reruns it), the wake paths, the
# regression tests of the failed MSG_RING wake and of the injected close,
# the driver's unit tests with the feature, and `ringio::fault`'s examples.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== fault injection (--features fault-injection)"
cargo test --features fault-injection --lib --test faults --test fault_wakes -- --nocapture
cargo test --features fault-injection --test regressions -- a_failed_msg_ring an_injected_close
cargo test --features fault-injection --doc -- fault
