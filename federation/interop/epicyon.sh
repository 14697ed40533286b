#!/usr/bin/env bash
# A running Epicyon following an Amicus organisation, by hand (not in CI: Epicyon is not on
# PyPI in a current release, and it must listen on port 80 to have a port-less domain).
# Captured this way: federation/fixtures/epicyon-person.json and epicyon-follow.json.
#
#   federation/interop/epicyon.sh /path/to/epicyon-checkout
#
# needs `127.0.0.1 alpha.localhost epicyon.localhost` in /etc/hosts, root (port 80), and an
# Amicus release build; Amicus runs on the development network at alpha.localhost:18800.
set -euo pipefail
src="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")/../.." && pwd)"
amicus="${AMICUS_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/amicus}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
cp -r "$src" "$work/epicyon"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet cryptography requests python-dateutil idna pysocks pyqrcode pypng
ep() { (cd "$work/epicyon" && "$work/venv/bin/python" epicyon.py --path "$work/epicyon" \
          --domain epicyon.localhost --port 80 --http "$@"); }
ep --addaccount bot@epicyon.localhost --password secretsecret1
ep --debug > "$work/epicyon.log" 2>&1 &

export AMICUS_DEV_NETWORK=true AMICUS_RESOLVE=epicyon.localhost=127.0.0.1 AMICUS_AUTHORIZED_FETCH=true \
  AMICUS_DOMAIN=alpha.localhost:18800 AMICUS_BIND=127.0.0.1:18800 AMICUS_DATA="$work/amicus"
echo 'correct horse battery' | "$amicus" user create --role admin --password-stdin ana
"$amicus" org create --name Redress --owner ana redress
"$amicus" serve > "$work/amicus.log" 2>&1 &
sleep 15

ep --nickname bot --follow redress@alpha.localhost:18800 --password secretsecret1
sleep 10
echo "Epicyon's Follow, as sent:"
grep -m1 '"type": "Follow"' "$work/epicyon.log" || true
echo "Amicus's answer to it, and Epicyon's to Amicus's Accept:"
grep -E 'reply: .HTTP/1.1 [0-9]+|POST /users/bot/inbox HTTP/1.1" [0-9]+|no actor nickname' "$work/epicyon.log" | tail -4
curl -s -H 'Accept: application/ld+json' -D - -o "$work/actor.json" http://epicyon.localhost/users/bot | grep -i content-type
echo "logs and the actor document are in $work"
