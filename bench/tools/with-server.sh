#!/usr/bin/env bash
# Starts the benchmark HTTP server on a free port, runs a command with BENCH_URL set to
# http://127.0.0.1:<port>/, then stops the server. Exits with the command's status.
#
#   bench/tools/with-server.sh SERVER_BINARY -- COMMAND [ARGS...]
#
# The command is run through `sh -c`, so write "\$BENCH_URL" where the URL goes.
set -euo pipefail
server=$1
shift
[[ ${1:-} == -- ]] && shift
fifo=$(mktemp -u)
mkfifo "$fifo"
"$server" 0 >"$fifo" &
pid=$!
exec 3<"$fifo"
rm -f "$fifo"
read -r line <&3 || { echo "with-server.sh: the server did not start" >&2; exit 1; }
export BENCH_URL="http://127.0.0.1:${line#port=}/"
status=0
sh -c "$*" || status=$?
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
exit "$status"
