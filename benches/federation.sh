#!/usr/bin/env bash
# Runs the federation benchmarks of docs/PERFORMANCE.md on one backend.
#   benches/federation.sh sqlite      (default)
#   benches/federation.sh postgres    (needs PostgreSQL on 127.0.0.1:5432, user postgres)
# Everything runs on loopback and stops by itself.
set -euo pipefail
backend="${1:-sqlite}"
cd "$(dirname "$0")/.."
instances="${INSTANCES:-2000}"
activities="${ACTIVITIES:-5000}"
actors="${ACTORS:-100}"

cargo build --release --quiet
cargo bench --bench federation --no-run --quiet 2>/dev/null
export AMICUS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/amicus"
db=""
cleanup() { [ -n "$db" ] && psql -h 127.0.0.1 -U postgres -d test -qc "drop database if exists $db with (force)" || true; }
trap cleanup EXIT
fresh_db() {
  if [ "$backend" = postgres ]; then
    cleanup
    db="amicus_fedbench_$$"
    psql -h 127.0.0.1 -U postgres -d test -qc "create database $db"
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
  fi
}
echo "# $backend"
fresh_db
cargo bench --bench federation --quiet -- fanout "$instances"
fresh_db
cargo bench --bench federation --quiet -- inbox "$activities" "$actors"
