#!/usr/bin/env bash
# Runs the co-signing network benchmark of docs/PERFORMANCE.md: a statement signed by 200
# organisations on 50 instances (SQLite, loopback), each signature timed until it shows on
# every instance. Everything stops by itself.
#   INSTANCES=50 PER=4 EVERY_MS=1000 benches/network.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 8192 2>/dev/null || true
cargo build --release --quiet
cargo bench --bench network --no-run --quiet 2>/dev/null
export AMICUS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/amicus"
unset DATABASE_URL
echo "# sqlite, $(nproc) cores"
cargo bench --bench network --quiet -- "${INSTANCES:-50}" "${PER:-4}" "${EVERY_MS:-1000}"
