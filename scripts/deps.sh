#!/usr/bin/env bash
# Installs what eventloop-trace needs on Debian 12 (run as root). Idempotent: skips apt
# when every package is already there.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config
          libcli11-dev nlohmann-json3-dev libfmt-dev catch2 libedit-dev robin-map-dev
          libuv1-dev clang-16 libclang-rt-16-dev tmux valgrind hyperfine python3 time
          chromium python3-jsonschema
          bash-completion man-db zsh universal-ctags node-acorn)
# node-acorn: the JavaScript parser `eventloop-trace program.js` runs under node (core/js/acorn.h).
# bash-completion loads the tool's completion on Tab, man-db shows its man page, and zsh runs
# the zsh completion's test (tests/install/completion.sh).
# universal-ctags finds the function definitions scripts/long_functions.py measures.
# Node is the oracle for Node semantics and a peer in the HTTP tests; any node will do.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
# npm installs the browser test's one tool (puppeteer-core, pinned in tests/browser/).
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The browser test's driver, at the version package-lock.json pins; skipped when it is there.
browser_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
pinned=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packages"]["node_modules/puppeteer-core"]["version"])' \
         "$browser_dir/package-lock.json")
installed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
            "$browser_dir/node_modules/puppeteer-core/package.json" 2>/dev/null || true)
if [ "$pinned" != "$installed" ]; then
  echo "installing puppeteer-core $pinned (tests/browser)"
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
