#!/usr/bin/env bash
# Sets up and runs every test: unit, property, reference-value, CLI fault tests and the
# end-to-end tests of the real desktop app under Xvfb. This is what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/concord-target}"
export CARGO_TERM_COLOR=never

scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

if [ -d src-tauri ]; then
  cargo build -p concord-app
  export CONCORD_APP="$CARGO_TARGET_DIR/debug/concord-app"
fi
# One cargo run for the whole workspace; the E2E tests drive the app through tauri-driver.
timeout -k 10 3000 xvfb-run -a -s "-screen 0 1400x1000x24" cargo test --workspace --no-fail-fast -- --test-threads=2
