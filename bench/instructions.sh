#!/usr/bin/env bash
# Instructions per request, counted by valgrind (cachegrind) instead of timed:
# repeatable to a few per cent on a machine whose timings drift by ten. For
# each client, (instructions of N2 requests - those of N1) / (N2 - N1), so
# start-up cancels out. Prints that count and the first client's count divided
# by it (a rate ratio, as in the timed bench). Needs valgrind and node; slow
# (a minute per client).
#
# Usage: bench/instructions.sh [SIZE] [CLIENT...]
#   SIZE: body bytes (default 13); CLIENT: raw http http-new http-arraybuffer network ky core
#     (default raw http http-arraybuffer network ky; core: the core stack without a face)
#   CLIENT_SCRIPT: the program that runs a client (default bench/instructions_client.ts)
#   BENCH_SOCKET=1 / 0: the faces send plain requests over the socket-level engine / over fetch
#     (useSocketByDefault; unset: the library's default)
#   BENCH_SOCKET_HTTPS=1: https goes to the engine as well (useSocketForHttps; off by default)
#   BENCH_HTTPS=1: the origin serves https with a throwaway CA, which every client trusts through
#     Deno's --cert (fetch and node:tls alike)
set -euo pipefail
cd "$(dirname "$0")/.."
export DENO_NO_UPDATE_CHECK=1
SIZE="${1:-13}"
shift || true
CLIENTS=("${@:-raw http http-arraybuffer network ky}")
N1="${N1:-500}"
N2="${N2:-2500}"
SCRIPT="${CLIENT_SCRIPT:-bench/instructions_client.ts}"

scheme=http
tls_args=()
deno_tls=()
if [ "${BENCH_HTTPS:-}" = 1 ]; then
  # A throwaway CA and a certificate for 127.0.0.1, as bench/bench.ts makes for its https rows.
  tls_dir=$(mktemp -d)
  ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$tls_dir/ca.key" -out "$tls_dir/ca.pem" -days 2 \
    -subj "/CN=bench CA" 2>/dev/null
  openssl req "${ec[@]}" -keyout "$tls_dir/key.pem" -out "$tls_dir/server.csr" \
    -subj "/CN=127.0.0.1" 2>/dev/null
  echo "subjectAltName=IP:127.0.0.1" >"$tls_dir/ext"
  openssl x509 -req -in "$tls_dir/server.csr" -CA "$tls_dir/ca.pem" -CAkey "$tls_dir/ca.key" \
    -CAcreateserial -out "$tls_dir/cert.pem" -days 2 -extfile "$tls_dir/ext" 2>/dev/null
  scheme=https
  tls_args=("$tls_dir/cert.pem" "$tls_dir/key.pem")
  deno_tls=(--cert "$tls_dir/ca.pem")
fi

exec {server}< <(exec node bench/server.mjs 0 "${tls_args[@]}")
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; [ -n "${tls_dir:-}" ] && rm -rf "$tls_dir"' EXIT
read -r -u "$server" port
origin="$scheme://127.0.0.1:$port/?size=$SIZE"

count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    deno run -A "${deno_tls[@]}" "$SCRIPT" "$1" "$origin" "$2" 2>&1 |
    sed -n 's/.*I *refs: *//p' | tr -d ,
}

# Warm Deno's module cache first: the first run of changed code also compiles it.
for client in ${CLIENTS[*]}; do
  deno run -A "${deno_tls[@]}" "$SCRIPT" "$client" "$origin" 1 >/dev/null
done

base=""
for client in ${CLIENTS[*]}; do
  per=$((($(count "$client" "$N2") - $(count "$client" "$N1")) / (N2 - N1)))
  [ -z "$base" ] && base=$per
  awk -v s="$SIZE" -v c="$client" -v p="$per" -v b="$base" \
    'BEGIN { printf "%s B  %-17s %8d instructions/request  %.2f × the first\n", s, c, p, b / p }'
done
