#!/usr/bin/env bash
# Installs everything Concord needs to build, run and test on Debian 12. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_apt=0
for pkg in libwebkit2gtk-4.1-dev libssl-dev build-essential pkg-config xvfb xauth webkit2gtk-driver imagemagick chromium fonts-dejavu-core curl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt=1
done
if [ "$need_apt" = 1 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libwebkit2gtk-4.1-dev libssl-dev build-essential pkg-config xvfb xauth webkit2gtk-driver \
    imagemagick chromium fonts-dejavu-core curl
fi
# The machine image ships Node 20; Debian's own is the fallback where none is installed.
if ! command -v npm >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi

# Rust through rustup (stable, minimal profile) where the machine has no cargo.
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --profile minimal --default-toolchain stable --component clippy,rustfmt
  export PATH="$HOME/.cargo/bin:$PATH"
fi

# tauri-driver bridges WebDriver to the app's webview; the ^2 pin avoids a 3.0 alpha.
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked --version '^2'
fi

(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

if [ -f ui/package.json ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi
