#!/usr/bin/env bash
# Runs the library's unit tests and the driver, runtime and time tests under
# valgrind's memcheck. Not part of .ci/run (slow); run it now and then, and
# after touching op/, driver/ or buf/.
#
# Skipped: tests in which the ring parks in io_uring_enter while another
# thread must run to wake it. Valgrind serializes threads and does not treat
# io_uring_enter as a blocking call, so the waking thread never gets to run
# and those tests hang under valgrind (they pass natively).
set -euo pipefail
cd "$(dirname "$0")/.."
skips=(
    --skip io_uring_unavailable
    --skip cross_thread_wake_from_a_std_thread
    --skip main_future_woken_from_another_thread
    --skip spawn_blocking_panic_is_reported
    # Arming 10k timers takes longer than its 500 ms head start under valgrind.
    --skip ten_thousand_sleeps
)
bins=$(cargo test --no-run --lib --test driver --test runtime --test time --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*"' | cut -d'"' -f4)
status=0
for bin in $bins; do
    echo "== valgrind $(basename "$bin")"
    valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
        --quiet "$bin" --test-threads=1 "${skips[@]}" || status=1
done
exit $status
