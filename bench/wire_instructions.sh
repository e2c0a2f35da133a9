#!/usr/bin/env bash
# Instructions per request of the socket-level engine and its peers, counted
# by valgrind as in bench/instructions.sh: (I(N2) - I(N1)) / (N2 - N1).
# Usage: bench/wire_instructions.sh [SIZE] [CLIENT...]  (CLIENT: raw wire wire-deno undici)
set -euo pipefail
cd "$(dirname "$0")/.."
export DENO_NO_UPDATE_CHECK=1
SIZE="${1:-13}"
shift || true
CLIENTS=("${@:-raw wire wire-deno undici}")
N1="${N1:-500}"
N2="${N2:-2500}"

exec {server}< <(exec node bench/server.mjs 0)
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
read -r -u "$server" port
origin="http://127.0.0.1:$port/?size=$SIZE"

count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    deno run -A bench/wire_client.ts "$1" "$origin" "$2" 2>&1 |
    sed -n 's/.*I *refs: *//p' | tr -d ,
}

deno run -A bench/wire_client.ts raw "$origin" 1 >/dev/null
deno run -A bench/wire_client.ts undici "$origin" 1 >/dev/null

base=""
for client in ${CLIENTS[*]}; do
  per=$((($(count "$client" "$N2") - $(count "$client" "$N1")) / (N2 - N1)))
  [ -z "$base" ] && base=$per
  awk -v s="$SIZE" -v c="$client" -v p="$per" -v b="$base" \
    'BEGIN { printf "%s B  %-10s %8d instructions/request  %.2f × the first\n", s, c, p, b / p }'
done
