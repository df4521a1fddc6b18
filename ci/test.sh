#!/usr/bin/env bash
# The README's test command, the same suite on the epoll driver (what a
# host without io_uring runs: `Auto` falls back to it), the macro crate's
# own tests, then a release-mode pass of the integration tests (optimized
# builds reorder and inline enough to shake out timing assumptions).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test
echo "== the suite again on the epoll driver (RINGIO_DRIVER=epoll)"
RINGIO_DRIVER=epoll cargo test
cargo test -p ringio-macros
cargo test -p ringio-bench
cargo test --release --tests
