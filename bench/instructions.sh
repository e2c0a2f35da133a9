#!/usr/bin/env bash
# Instructions per request, counted by valgrind (cachegrind) instead of timed:
# repeatable to a few per cent on a machine whose timings drift by ten. For
# each client, (instructions of N2 requests - those of N1) / (N2 - N1), so
# start-up cancels out. Prints that count and the first client's count divided
# by it (a rate ratio, as in the timed bench). Needs valgrind and node; slow
# (a minute per client).
#
# Usage: bench/instructions.sh [SIZE] [CLIENT...]
#   SIZE: body bytes (default 13); CLIENT: raw http http-arraybuffer network ky (default all)
#   CLIENT_SCRIPT: the program that runs a client (default bench/instructions_client.ts)
#   BENCH_SOCKET=1: the faces send plain requests over the socket-level engine (useSocketByDefault)
set -euo pipefail
cd "$(dirname "$0")/.."
export DENO_NO_UPDATE_CHECK=1
SIZE="${1:-13}"
shift || true
CLIENTS=("${@:-raw http http-arraybuffer network ky}")
N1="${N1:-500}"
N2="${N2:-2500}"
SCRIPT="${CLIENT_SCRIPT:-bench/instructions_client.ts}"

exec {server}< <(exec node bench/server.mjs 0)
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
read -r -u "$server" port
origin="http://127.0.0.1:$port/?size=$SIZE"

count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    deno run -A "$SCRIPT" "$1" "$origin" "$2" 2>&1 |
    sed -n 's/.*I *refs: *//p' | tr -d ,
}

# Warm Deno's module cache first: the first run of changed code also compiles it.
for client in ${CLIENTS[*]}; do deno run -A "$SCRIPT" "$client" "$origin" 1 >/dev/null; done

base=""
for client in ${CLIENTS[*]}; do
  per=$((($(count "$client" "$N2") - $(count "$client" "$N1")) / (N2 - N1)))
  [ -z "$base" ] && base=$per
  awk -v s="$SIZE" -v c="$client" -v p="$per" -v b="$base" \
    'BEGIN { printf "%s B  %-17s %8d instructions/request  %.2f × the first\n", s, c, p, b / p }'
done
