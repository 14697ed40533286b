#!/usr/bin/env bash
# Writes federation/examples/ anew from what the code emits (the tests only compare them).
# Run it after a deliberate change to what Amicus sends, then review the diff and commit.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
AMICUS_EXAMPLES_OUT="$out" cargo test --quiet --test it -- federation:: every_activity_amicus_sends partners_co_sign a_campaign_gathers partners_and_mastodon_discuss a_coalition_relay >/dev/null
cp "$out"/*.json federation/examples/
git status --short federation/examples/
