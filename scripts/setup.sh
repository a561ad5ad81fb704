#!/usr/bin/env bash
# Install what Plumb's build and tests need, skipping whatever is already present at the right
# version. Idempotent; safe to run on every `make serve` / `make test`.
#
#   scripts/setup.sh build   wasm32 target, trunk, wasm-bindgen-cli matching Cargo.lock
#   scripts/setup.sh test    the above + chromium, chromium-driver, playwright-core, axe-core, markdown-it, cargo fetch
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# The wasm-bindgen CLI must match the library version pinned in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

need_build() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "wasm32-unknown-unknown target present"
  else
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  if command -v trunk >/dev/null && trunk --version | grep -q " $TRUNK_VERSION"; then
    say "trunk $TRUNK_VERSION present"
  else
    say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi

  if command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q " $WASM_BINDGEN_VERSION"; then
    say "wasm-bindgen-cli $WASM_BINDGEN_VERSION present"
  else
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi

  # Trunk runs offline (Trunk.toml): fetch every crate for both targets once.
  cargo fetch --locked >/dev/null
}

need_test() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    say "chromium and chromium-driver present"
  else
    say "installing chromium and chromium-driver (Debian packages)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi

  # promtool checks the exported Prometheus rules (Debian's prometheus package ships it).
  if command -v promtool >/dev/null; then
    say "promtool present"
  else
    say "installing promtool (Debian package prometheus)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi

  if [ -f tests/e2e/node_modules/playwright-core/package.json ] \
    && [ -f tests/e2e/node_modules/axe-core/axe.min.js ] \
    && [ -f tests/e2e/node_modules/markdown-it/package.json ]; then
    say "playwright-core, axe-core and markdown-it present"
  else
    say "installing playwright-core, axe-core and markdown-it (npm, no browser download)"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

case "${1:-build}" in
  build) need_build ;;
  test) need_build; need_test ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
