#!/usr/bin/env bash
# Runs the library's unit tests and the driver tests under valgrind's memcheck
# (not part of .ci/run: slow; run it now and then, and before touching op/ or driver/).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --no-run --lib --test driver --test runtime 2>/dev/null
for bin in $(cargo test --no-run --lib --test driver --test runtime --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*"' | cut -d'"' -f4); do
    echo "== valgrind $bin"
    valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
        --quiet "$bin" --test-threads=1 --skip io_uring_unavailable
done
