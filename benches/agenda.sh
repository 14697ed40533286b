#!/usr/bin/env bash
# Runs the agenda benchmarks of docs/PERFORMANCE.md on one backend.
#   benches/agenda.sh sqlite      (default)
#   benches/agenda.sh postgres    (needs PostgreSQL on 127.0.0.1:5432, user postgres)
# Everything runs on loopback and stops by itself. The partner instance always uses SQLite.
set -euo pipefail
backend="${1:-sqlite}"
cd "$(dirname "$0")/.."
events="${EVENTS:-5000}"
resources="${RESOURCES:-10000}"
# 1,000 open agenda pages need as many sockets on each side
ulimit -n 8192 2>/dev/null || true

cargo build --release --quiet
cargo bench --bench agenda --no-run --quiet 2>/dev/null
export AMICUS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/amicus"
work=$(mktemp -d)
db=""
cleanup() {
  [ -n "$db" ] && psql -h 127.0.0.1 -U postgres -d test -qc "drop database if exists $db with (force)" || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$backend" = postgres ]; then
  db="amicus_agendabench_$$"
  psql -h 127.0.0.1 -U postgres -d test -qc "create database $db"
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
fi
echo "# $backend, $events events, $resources resources, $(nproc) cores"
cargo bench --bench library --quiet -- generate "$resources" "$work/library.jsonl"
cargo bench --bench agenda --quiet -- run "$events" "$work/library.jsonl"
