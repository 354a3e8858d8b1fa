#!/usr/bin/env bash
# The browser test (page_test.js) in headless Chromium, with puppeteer-core as pinned in
# package-lock.json. Installs it with `npm ci` when it is not there yet (scripts/deps.sh
# does that too). Needs Debian's chromium (or CHROMIUM=/path/to/it): without a browser the
# test fails, it does not skip, because the page is only tested in one.
# usage: run.sh ELT_BIN BOOK_SCENARIO LARGE_SCENARIO [--screenshots DIR]
#        run.sh OTHER_TEST.js ARGS...   (another test of this folder, e.g. race_test.js)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "eventloop-trace browser test: no Chromium at $chromium (scripts/deps.sh installs Debian's chromium)" >&2
  exit 1
fi
if [ ! -f "$here/node_modules/puppeteer-core/package.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
cd "$here"
script=page_test.js
case ${1:-} in *.js) script=$1; shift ;; esac
exec node "$script" "$@"
