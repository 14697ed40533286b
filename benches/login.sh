#!/usr/bin/env bash
# The login flood of docs/PERFORMANCE.md: 10,000 failed logins from 200 connections against a
# real release server on loopback, while the account's owner logs in. Stops by itself.
#   benches/login.sh [logins] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo bench --bench login --no-run --quiet 2>/dev/null
export AMICUS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/amicus"
cargo bench --bench login --quiet -- "${1:-10000}" "${2:-200}"
