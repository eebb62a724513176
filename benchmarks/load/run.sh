#!/usr/bin/env bash
# HTTP load test of the sample host (scenario 6 of the benchmarks): for each store, starts the sample host
# (Release, Development environment for the sign-in endpoint, no-op ceiling endpoint on) on 127.0.0.1, signs in
# 1,000 distinct users, then runs wrk against
#   POST /bench/noop                 the ceiling: same JWT bearer authentication, does nothing (204)
#   POST /presence/me/heartbeat      the REST heartbeat
#   POST /rpc                        Effect RPC NDJSON userPresenceStatus.heartbeat, token in the message
# rotating the users' tokens, prints requests/s and p50/p99 per endpoint, and stops the host.
# Only ever targets 127.0.0.1. Each store's host is first warmed up on every endpoint (JIT, connections, the
# users' records), then each round measures the three endpoints one after the other, each after its own
# warm-up. Bounded: about build + 2 x (start + sign-in + 3 x FIRST_WARMUP + ROUNDS x 3 x (WARMUP + DURATION))
# seconds: about 4.5 minutes with the defaults.
#
# Usage: benchmarks/load/run.sh
# Settings (environment): STORES="memory sqlite" DURATION=10 WARMUP=3 FIRST_WARMUP=8 CONNECTIONS=64 THREADS=2 USERS=1000
#                          PORT=5391 ROUNDS=2 RESULTS=<file to append the Markdown table to>
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/benchmarks/load"
PROJECT="$ROOT/samples/Hazel.Presence.SampleHost"
STORES="${STORES:-memory sqlite}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
FIRST_WARMUP="${FIRST_WARMUP:-8}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
USERS="${USERS:-1000}"
PORT="${PORT:-5391}"
ROUNDS="${ROUNDS:-2}"
BASE="http://127.0.0.1:$PORT"

for limit in DURATION WARMUP FIRST_WARMUP CONNECTIONS THREADS USERS ROUNDS; do
  [[ "${!limit}" =~ ^[0-9]+$ ]] || { echo "$limit must be a number" >&2; exit 2; }
done
(( DURATION <= 120 && WARMUP <= 60 && FIRST_WARMUP <= 60 && ROUNDS <= 5 )) || { echo "DURATION <= 120, WARMUP and FIRST_WARMUP <= 60 and ROUNDS <= 5 keep a run bounded" >&2; exit 2; }

if ! command -v wrk >/dev/null; then
  echo "# installing wrk (apt)"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
command -v curl >/dev/null || { echo "curl is required" >&2; exit 2; }

WORK="$(mktemp -d -t hazel-presence-load-XXXXXX)"
HOST_PID=""
stop_host() {
  if [[ -n "$HOST_PID" ]] && kill -0 "$HOST_PID" 2>/dev/null; then
    kill -TERM "$HOST_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$HOST_PID" 2>/dev/null || true
    wait "$HOST_PID" 2>/dev/null || true
  fi
  HOST_PID=""
}
trap 'stop_host; rm -rf "$WORK"' EXIT

if curl -s -o /dev/null "$BASE/" 2>/dev/null; then
  echo "Something already listens on 127.0.0.1:$PORT; set PORT." >&2
  exit 2
fi

echo "# building the sample host (Release)"
dotnet build "$PROJECT" -c Release -o "$WORK/host" -nologo -v q >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
SIGNING_KEY="$(head -c 32 /dev/urandom | base64 -w0)"

start_host() { # $1 = store
  local data="$WORK/data-$1"
  mkdir -p "$data"
  ( cd "$WORK/host" && \
    ASPNETCORE_ENVIRONMENT=Development \
    Sample__Store="$1" \
    Sample__DataDirectory="$data" \
    Auth__SigningKey="$SIGNING_KEY" \
    Benchmark__MapNoopEndpoint=true \
    Logging__LogLevel__Default=Warning \
    exec dotnet Hazel.Presence.SampleHost.dll --urls "$BASE" >"$WORK/host-$1.log" 2>&1 ) &
  HOST_PID=$!
  for _ in $(seq 1 150); do
    if curl -sf -o /dev/null "$BASE/health"; then return 0; fi
    kill -0 "$HOST_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "The host did not become healthy:" >&2
  cat "$WORK/host-$1.log" >&2
  exit 1
}

sign_in_users() { # writes $WORK/tokens.txt
  seq 1 "$USERS" | xargs -P 4 -I{} curl -sf -X POST "$BASE/auth/sign-in" \
      -H 'Content-Type: application/json' -d '{"userName":"load-user-{}"}' -w '\n' \
    | grep -o '"accessToken":"[^"]*"' | cut -d'"' -f4 >"$WORK/tokens.txt"
  local got
  got=$(wc -l <"$WORK/tokens.txt")
  [[ "$got" -eq "$USERS" ]] || { echo "signed in $got of $USERS users" >&2; exit 1; }
}

check_endpoints() { # one request per endpoint, checked, so wrk measures successes
  local token
  token="$(head -1 "$WORK/tokens.txt")"
  local noop beat rpc
  noop=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/bench/noop" -H "Authorization: Bearer $token")
  beat=$(curl -s -w ' %{http_code}' -X POST "$BASE/presence/me/heartbeat" -H "Authorization: Bearer $token")
  # The same bytes rotate-tokens.lua sends (Effect 4.1.0 client shape).
  rpc=$(printf '{"_tag":"Request","id":0,"tag":"userPresenceStatus.heartbeat","payload":{},"traceId":"5349e5fd21ebb4684874c475bc1223ab","spanId":"9940e2da03b3e84d","sampled":true,"headers":[["authorization","Bearer %s"]]}\n' "$token" \
    | curl -s -X POST "$BASE/rpc" -H 'Content-Type: application/x-ndjson' --data-binary @-)
  [[ "$noop" == 204 ]] || { echo "POST /bench/noop answered $noop (is Benchmark:MapNoopEndpoint honoured?)" >&2; exit 1; }
  [[ "$beat" == *lastSeenAt*" 200" ]] || { echo "POST /presence/me/heartbeat answered: $beat" >&2; exit 1; }
  [[ "$rpc" == *'"_tag":"Success"'* ]] || { echo "POST /rpc answered: $rpc" >&2; exit 1; }
  # A wrong token must be refused, or the ceiling would not include authentication.
  local anon
  anon=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/bench/noop" -H "Authorization: Bearer nope")
  [[ "$anon" == 401 ]] || { echo "POST /bench/noop with a bad token answered $anon, expected 401" >&2; exit 1; }
}

run_wrk() { # $1 = path, $2 = mode (rest|rpc), $3 = seconds; prints the RESULT line
  timeout $(( $3 + 30 )) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${3}s" --timeout 5s \
    -s "$HERE/rotate-tokens.lua" "$BASE$1" -- "$WORK/tokens.txt" "$2" | grep '^RESULT'
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

TABLE="$WORK/table.md"
{
  echo "| store | endpoint | round | requests/s | p50 ms | p99 ms | vs ceiling | non-2xx | socket errors |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$TABLE"

echo "# $(date -u +%FT%TZ) wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s per endpoint after ${WARMUP}s warm-up, $USERS users, $(nproc) cores"
for store in $STORES; do
  echo "# store: $store"
  start_host "$store"
  sign_in_users
  check_endpoints
  # A fresh host needs ~10 s of load before tiered JIT settles (measured: 7.7k, 17k, 34k, 38k req/s in four
  # consecutive 3 s runs), so every endpoint is warmed for FIRST_WARMUP seconds before the first round.
  for endpoint in "/bench/noop rest" "/presence/me/heartbeat rest" "/rpc rpc"; do
    set -- $endpoint
    run_wrk "$1" "$2" "$FIRST_WARMUP" >/dev/null
  done
  for round in $(seq 1 "$ROUNDS"); do
    ceiling=""
    for endpoint in "/bench/noop rest" "/presence/me/heartbeat rest" "/rpc rpc"; do
      set -- $endpoint
      run_wrk "$1" "$2" "$WARMUP" >/dev/null
      line="$(run_wrk "$1" "$2" "$DURATION")"
      echo "$store $1 round $round: $line"
      rps="$(field rps "$line")"
      [[ "$1" == /bench/noop ]] && ceiling="$rps"
      ratio="$(awk -v a="$rps" -v b="$ceiling" 'BEGIN { printf "%.2f", a / b }')"
      echo "| $store | POST $1 | $round | $rps | $(field p50_ms "$line") | $(field p99_ms "$line") | $ratio | $(field non2xx "$line") | $(field socket_errors "$line") |" >>"$TABLE"
    done
  done
  stop_host
done

echo
cat "$TABLE"
if [[ -n "${RESULTS:-}" ]]; then cat "$TABLE" >>"$RESULTS"; fi
