#!/usr/bin/env bash
# Runs the performance checks of docs/PERFORMANCE.md on one backend.
#   benches/run.sh sqlite      (default)
#   benches/run.sh postgres    (needs PostgreSQL on 127.0.0.1:5432, user postgres)
# Needs wrk (Debian: apt-get install wrk). Everything runs on loopback and stops by itself.
set -euo pipefail
backend="${1:-sqlite}"
cd "$(dirname "$0")/.."
count="${COUNT:-10000}"
port="${PORT:-18090}"

cargo build --release --quiet
cargo bench --bench library --no-run --quiet 2>/dev/null
bin=target/release/amicus
work=$(mktemp -d)
export AMICUS_DATA="$work/data" AMICUS_BIND="127.0.0.1:$port" AMICUS_DOMAIN="localhost:$port" AMICUS_CONFIG="$work/none.toml"
touch "$work/none.toml"
db=""
if [ "$backend" = postgres ]; then
  db="amicus_bench_$$"
  psql -h 127.0.0.1 -U postgres -d test -qc "create database $db"
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
fi
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  [ -n "$db" ] && psql -h 127.0.0.1 -U postgres -d test -qc "drop database if exists $db with (force)" || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "## $backend, $count resources in four languages, $(nproc) cores"
cargo bench --bench library --quiet -- generate "$count" "$work/bench.jsonl"
echo "generated $(du -h "$work/bench.jsonl" | cut -f1) of JSON Lines"
$bin migrate 2>/dev/null
/usr/bin/time -f "import: %e s elapsed, %M KB peak RSS" $bin import "$work/bench.jsonl" --org bench --create-org "Bench" 2>&1 | grep -v '^created' | tail -n 2

$bin serve 2>/dev/null &
pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
sleep 2
echo "idle RSS: $(grep VmRSS /proc/$pid/status | awk '{print $2}') KB"

cargo bench --bench library --quiet -- search "http://127.0.0.1:$port" 20

uid=$(curl -s "http://127.0.0.1:$port/api/v1/resources?q=torture" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
for path in "/r/$uid" "/api/v1/resources/$uid"; do
  echo "wrk -t2 -c64 -d15s $path"
  wrk -t2 -c64 -d15s "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|Latency|Non-2xx' || true
done
echo "peak RSS under load: $(grep VmHWM /proc/$pid/status | awk '{print $2}') KB"
echo "RSS after load: $(grep VmRSS /proc/$pid/status | awk '{print $2}') KB"
