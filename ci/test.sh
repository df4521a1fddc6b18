#!/usr/bin/env bash
# The README's test command, then a release-mode pass of the integration tests
# (optimized builds reorder and inline enough to shake out timing assumptions).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test
cargo test --release --tests
