#!/usr/bin/env bash
# Installs what eventloop-trace needs on Debian 12 (run as root). Idempotent: skips apt
# when every package is already there.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config
          libcli11-dev nlohmann-json3-dev libfmt-dev catch2 libedit-dev
          libuv1-dev clang-16 libclang-rt-16-dev tmux valgrind hyperfine python3 time)
# Node is the oracle for Node semantics and a peer in the HTTP tests; any node will do.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
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
