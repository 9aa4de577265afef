#!/usr/bin/env bash
# End-to-end tests of the real desktop app: builds the front end and the app, then drives it
# through tauri-driver + WebKitWebDriver under Xvfb. Needs: libwebkit2gtk-4.1-dev, xvfb, xauth,
# webkit2gtk-driver (apt) and tauri-driver (cargo install tauri-driver --locked --version '^2').
# CONCORD_E2E_PERF=0 skips the 100k-response speed run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/target-app}"
cd "$root"

if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "run.sh: installing tauri-driver"
    cargo install tauri-driver --locked --version '^2'
fi

(cd ui && npm ci --no-audit --no-fund && npm run build)
cargo build -p concord-app
export CONCORD_APP="$CARGO_TARGET_DIR/debug/concord-app"

timeout -k 10 600 xvfb-run -a -s "-screen 0 1280x900x24" \
    cargo test -p concord-e2e -- --test-threads=1 --nocapture
