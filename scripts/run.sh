#!/usr/bin/env bash
# Sets up, builds, creates the demo study if there is none, and opens it in the desktop app.
# With --headless (or without a display) it prints the study's info and agreement instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/concord-target}"
STUDY="${CONCORD_STUDY:-$HOME/Concord/demo.concord}"

scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# Built one package at a time: each keeps its own (cached) feature set, so neither rebuilds polars.
cargo build -p concord-cli
cargo build -p concord-app
BIN="$CARGO_TARGET_DIR/debug"

mkdir -p "$(dirname "$STUDY")"
if [ ! -e "$STUDY" ]; then
  # Humans rate 90% of responses so the app has work left for a new rater profile.
  "$BIN/concord" demo "$STUDY" --items 40 --models 3 --raters 3 --judges 2 --coverage 0.9
fi
"$BIN/concord" info "$STUDY"

if [ "${1:-}" = "--headless" ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
  "$BIN/concord" agreement "$STUDY" --attribute safety
  echo "No display: run 'scripts/run.sh' on a desktop to open the app on $STUDY"
  exit 0
fi
exec "$BIN/concord-app" "$STUDY"
