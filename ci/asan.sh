#!/usr/bin/env bash
# The library and integration tests once under AddressSanitizer, where a
# nightly toolchain is installed (`-Zsanitizer` is nightly-only); skipped,
# saying why, where it is not. The standard library is not instrumented
# (no -Zbuild-std: no network for its sources), so ASan checks ringio's
# and its dependencies' memory: use after free, overflows, and, since the
# kernel writes through io_uring into memory ASan sees, a buffer freed
# while the kernel still owned it shows up as a use after free on the next
# touch. Leak checking stays with valgrind (ASan's would flag the buffers
# a leaking shutdown keeps on purpose).
set -euo pipefail
cd "$(dirname "$0")/.."
# (grep reads all its input: an early exit would fail rustup with EPIPE.)
if ! rustup toolchain list 2>/dev/null | grep '^nightly' >/dev/null; then
    echo "== AddressSanitizer skipped: no nightly toolchain here (rustup toolchain list)"
    exit 0
fi
echo "== the suite under AddressSanitizer (cargo +nightly, -Zsanitizer=address)"
export RUSTFLAGS="-Zsanitizer=address -Cunsafe-allow-abi-mismatch=sanitizer"
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1"
# The seccomp child re-executes the test binary; valgrind-style skips are
# not needed: ASan runs threads natively. One timing test is skipped, as in
# the kernel matrix: its 50 ms bound on a ticker's lateness does not hold
# for an instrumented build beside the suite's other threads on two cores
# (measured 52-68 ms in about one run in three); the other stages run it.
cargo +nightly test --target x86_64-unknown-linux-gnu --target-dir target/asan \
    --lib --tests --no-fail-fast -- --skip a_ticker_stays_on_time_through_a_thousand_lookups
