#!/usr/bin/env bash
# Instructions per request of the socket-level engine and its peers, counted
# by valgrind as in bench/instructions.sh: (I(N2) - I(N1)) / (N2 - N1).
# Usage: bench/wire_instructions.sh [SIZE] [CLIENT...]  (CLIENT: raw wire wire-deno undici)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${1:-13}"
shift || true
CLIENT_SCRIPT=bench/wire_client.ts exec bash bench/instructions.sh "$SIZE" "${@:-raw wire wire-deno undici}"
