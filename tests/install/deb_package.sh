#!/usr/bin/env bash
# The Debian package: `cpack -G DEB` on this build (no second build), its declared run-time
# dependencies, then as root `apt-get install ./eventloop-trace_*.deb`, the book's scenario
# run from /usr/bin on the virtual clock (= its golden), and the package removed again
# (apt-get remove), also when a step fails. /usr/bin/eventloop-trace is named in full, so that
# a copy that scripts/book.sh installed under /usr/local cannot stand in for the package's.
# Skipped (exit 77) when not root, or when a package of this name is already installed
# (it is someone's, not this test's, to remove).
# usage: deb_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1")
src=$(realpath "$2")
if [ "$(id -u)" != 0 ]; then echo "skipped: installing a .deb needs root"; exit 77; fi
if dpkg-query -W -f '${Status}' eventloop-trace 2>/dev/null | grep -q 'ok installed'; then
  echo "skipped: a package eventloop-trace is already installed here; this test would remove it"
  exit 77
fi
# apt waits for dpkg's lock (another apt run) instead of failing at once.
apt=(apt-get -y -qq -o DPkg::Lock::Timeout=120)
remove() { DEBIAN_FRONTEND=noninteractive "${apt[@]}" remove eventloop-trace; }
work=$(mktemp -d)
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then remove > /dev/null 2>&1 || echo "could not remove eventloop-trace"; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$build" && cpack -G DEB -B "$work" > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
deb="$work/eventloop-trace_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || { echo "cpack wrote no $deb:"; ls "$work"; exit 1; }
# Depends comes from dpkg-shlibdeps: the libraries the binary links, with their versions.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libstdc++6 libfmt9 libedit2; do
  tr ',' '\n' <<< "$depends" | awk '{print $1}' | grep -qxF "$lib" || { echo "Depends lacks $lib: $depends"; exit 1; }
done
dpkg-deb -c "$deb" | awk '{print $NF}' > "$work/contents"
for file in ./usr/bin/eventloop-trace ./usr/share/man/man1/eventloop-trace.1 \
            ./usr/share/bash-completion/completions/eventloop-trace ./usr/share/zsh/vendor-completions/_eventloop-trace \
            ./usr/share/eventloop-trace/scenario.schema.json ./usr/share/eventloop-trace/scenarios/book.json; do
  grep -qxF "$file" "$work/contents" || { echo "not in the package: $file"; exit 1; }
done

installed=1
DEBIAN_FRONTEND=noninteractive "${apt[@]}" install --no-install-recommends "$deb" > "$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; exit 1; }
/usr/bin/eventloop-trace --clock virtual "$src/scenarios/book.json" > "$work/book.trace"
cmp "$src/tests/golden/book.trace" "$work/book.trace"
/usr/bin/eventloop-trace --version | grep -qxF "data files: /usr/share/eventloop-trace"
/usr/bin/eventloop-trace --clock virtual /usr/share/eventloop-trace/scenarios/book.json | cmp - "$src/tests/golden/book.trace"

remove > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; exit 1; }
installed=0
if [ -e /usr/bin/eventloop-trace ]; then echo "/usr/bin/eventloop-trace is still there after apt-get remove"; exit 1; fi
echo "ok: $(basename "$deb") (Depends: $depends) installed, ran the book from /usr/bin, removed"
