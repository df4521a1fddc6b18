#!/usr/bin/env bash
# The README's test command, the macro crate's own tests, then a
# release-mode pass of the integration tests (optimized builds reorder and
# inline enough to shake out timing assumptions).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test
cargo test -p ringio-macros
cargo test -p ringio-bench
cargo test --release --tests
