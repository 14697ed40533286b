#!/usr/bin/env bash
# Runs the partner search and backfill benchmark of docs/PERFORMANCE.md: one instance asking 10
# partners (SQLite, loopback) at once, then following a partner with 5,000 resources.
#   PARTNERS=10 PER=1000 BACKFILL=5000 benches/partners.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 8192 2>/dev/null || true
cargo build --release --quiet
cargo bench --bench partners --no-run --quiet 2>/dev/null
export AMICUS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/amicus"
unset DATABASE_URL
echo "# sqlite, $(nproc) cores"
cargo bench --bench partners --quiet -- "${PARTNERS:-10}" "${PER:-1000}" "${BACKFILL:-5000}"
